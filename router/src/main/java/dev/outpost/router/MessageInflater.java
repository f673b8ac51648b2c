package dev.outpost.router;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionDecoder;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates the {@code permessage-deflate} messages (RFC 7692) a client sends, in place of Netty's
 * {@code PerMessageDeflateDecoder}, with one {@link Inflater} per socket and no intermediate
 * pipeline: each compressed frame's bytes go straight into the inflater and come out in one heap
 * buffer, which becomes the frame handed on (RSV1 cleared on a message's first frame). Netty's
 * decoder runs an {@code EmbeddedChannel} with a {@code ByteToMessageDecoder} per socket and
 * gathers its output into a {@code CompositeByteBuf}, which made inflating a 100-byte chat message
 * cost about twelve whole deliveries (docs/benchmarks.md, "Idle sockets and compression, round
 * three").
 *
 * <p><b>Invariants.</b> The window carries over from message to message (context takeover) unless
 * {@code client_no_context_takeover} was agreed, in which case the inflater is reset after each
 * message's last frame; so is it when a message ended the deflate stream (a final block). Frames
 * without RSV1 (messages the client chose not to compress) pass untouched, and so do control
 * frames. The empty block tail ({@code 00 00 ff ff}, stripped by the sender, §7.2.2) is fed after
 * each message's last frame. There is no output limit beyond the router's own message size limit,
 * which applies to the inflated message, as with Vert.x's decoder.
 *
 * <p><b>Threads and failure.</b> One instance per socket, used on its event loop only. Input that
 * is not valid deflate data fails the channel with {@link CorruptedWebSocketFrameException} (1007);
 * the native inflater is released when the handler leaves the pipeline or the channel closes.
 */
final class MessageInflater extends WebSocketExtensionDecoder {

  private static final byte[] TAIL = {0x00, 0x00, (byte) 0xff, (byte) 0xff};

  private final boolean noContextTakeover;
  private Inflater inflater; // null until the first compressed message, and after release()
  private boolean inMessage; // between a compressed message's first and last frames

  /**
   * @param noContextTakeover whether {@code client_no_context_takeover} was agreed: the window is
   *     then emptied after each message
   */
  MessageInflater(boolean noContextTakeover) {
    this.noContextTakeover = noContextTakeover;
  }

  @Override
  public boolean acceptInboundMessage(Object msg) throws Exception {
    if (!super.acceptInboundMessage(msg)) {
      return false;
    }
    WebSocketFrame frame = (WebSocketFrame) msg;
    if (frame instanceof ContinuationWebSocketFrame) {
      return inMessage;
    }
    return (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)
        && (frame.rsv() & WebSocketExtension.RSV1) != 0;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
    boolean last = frame.isFinalFragment();
    ByteBuf inflated = inflate(ctx, frame.content(), last);
    if (frame instanceof TextWebSocketFrame) {
      out.add(new TextWebSocketFrame(last, frame.rsv() & ~WebSocketExtension.RSV1, inflated));
    } else if (frame instanceof BinaryWebSocketFrame) {
      out.add(new BinaryWebSocketFrame(last, frame.rsv() & ~WebSocketExtension.RSV1, inflated));
    } else {
      out.add(new ContinuationWebSocketFrame(last, frame.rsv(), inflated));
    }
    inMessage = !last;
  }

  private ByteBuf inflate(ChannelHandlerContext ctx, ByteBuf in, boolean last) {
    if (inflater == null) {
      inflater = new Inflater(true);
    }
    // Chat-sized text compresses 2-5x; the buffer doubles when that guess is short.
    ByteBuf out = ctx.alloc().heapBuffer(Math.max(256, in.readableBytes() * 4));
    try {
      inflater.setInput(in.nioBuffer());
      drain(out);
      if (last) {
        if (!inflater.finished()) {
          inflater.setInput(TAIL);
          drain(out);
        }
        if (noContextTakeover || inflater.finished()) {
          inflater.reset();
        }
      }
      return out;
    } catch (DataFormatException | RuntimeException e) {
      out.release();
      release();
      throw new CorruptedWebSocketFrameException(
          WebSocketCloseStatus.INVALID_PAYLOAD_DATA,
          "a compressed message could not be inflated: " + e.getMessage(),
          e);
    }
  }

  /** Inflates all the input set into {@code out}, growing it as needed. */
  private void drain(ByteBuf out) throws DataFormatException {
    while (!inflater.finished()) {
      if (!out.isWritable()) {
        out.ensureWritable(out.capacity());
      }
      int n =
          inflater.inflate(out.array(), out.arrayOffset() + out.writerIndex(), out.writableBytes());
      if (n > 0) {
        out.writerIndex(out.writerIndex() + n);
      } else if (inflater.needsInput()) {
        return;
      } else if (inflater.needsDictionary()) {
        throw new DataFormatException("a preset dictionary is not allowed (RFC 7692 §7.1)");
      }
    }
  }

  private void release() {
    if (inflater != null) {
      inflater.end();
      inflater = null;
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
    release();
    super.handlerRemoved(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    release();
    super.channelInactive(ctx);
  }
}

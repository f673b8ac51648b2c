package dev.outpost.router;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
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
 * each message's last frame.
 *
 * <p><b>Limit.</b> A message may inflate to at most {@code maxMessageBytes} (the router's {@code
 * outpost.websocket.max-message-size}), counted over all its frames; past that the socket is closed
 * with 1009 and inflating stops there. The wire limit bounds only the compressed frame, and deflate
 * expands up to about 1,032 times (RFC 1951's longest match per 2 bits), so without this a 32 MiB
 * frame could claim 32 GiB of heap before any size check ran (Netty's decoder, as Vert.x 5.0
 * configures it, has no limit).
 *
 * <p><b>Threads and failure.</b> One instance per socket, used on its event loop only. Input that
 * is not valid deflate data (1007) or a message past the limit (1009) ends the socket: nothing of
 * that message is handed on; a close frame with that code and a reason naming the limit is handed
 * on in its place, as if the client had closed with it, so Vert.x answers the client with that code
 * (RFC 6455 §7.4.1) and the object hears it as any close; later frames are dropped. The native
 * inflater is released then, when the handler leaves the pipeline, or when the channel closes.
 */
final class MessageInflater extends WebSocketExtensionDecoder {

  private static final byte[] TAIL = {0x00, 0x00, (byte) 0xff, (byte) 0xff};

  private final boolean noContextTakeover;
  private final int maxMessageBytes;
  private long messageBytes; // inflated so far of the message in progress
  private Inflater inflater; // null until the first compressed message, and after release()
  private boolean inMessage; // between a compressed message's first and last frames
  private boolean failed; // a close frame was sent: drop everything that still arrives

  /**
   * @param noContextTakeover whether {@code client_no_context_takeover} was agreed: the window is
   *     then emptied after each message
   * @param maxMessageBytes the largest message, inflated, in bytes (≥ 1)
   */
  MessageInflater(boolean noContextTakeover, int maxMessageBytes) {
    if (maxMessageBytes < 1) {
      throw new IllegalArgumentException("maxMessageBytes must be ≥ 1: " + maxMessageBytes);
    }
    this.noContextTakeover = noContextTakeover;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public boolean acceptInboundMessage(Object msg) throws Exception {
    if (!super.acceptInboundMessage(msg)) {
      return false;
    }
    WebSocketFrame frame = (WebSocketFrame) msg;
    if (failed) {
      return true; // decode drops it
    }
    if (frame instanceof ContinuationWebSocketFrame) {
      return inMessage;
    }
    return (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)
        && (frame.rsv() & WebSocketExtension.RSV1) != 0;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
    if (failed) {
      return; // released by MessageToMessageDecoder
    }
    boolean last = frame.isFinalFragment();
    ByteBuf inflated;
    try {
      inflated = inflate(ctx, frame.content(), last);
    } catch (CorruptedWebSocketFrameException e) {
      failed = true;
      // Handed on as if the client had closed with that code: Vert.x answers it with the same
      // code and closes, and the object hears it through the usual close path.
      out.add(
          new CloseWebSocketFrame(
              e.closeStatus().code(), MessageAssembler.closeReasonOf(e.getMessage())));
      return;
    }
    if (frame instanceof TextWebSocketFrame) {
      out.add(new TextWebSocketFrame(last, frame.rsv() & ~WebSocketExtension.RSV1, inflated));
    } else if (frame instanceof BinaryWebSocketFrame) {
      out.add(new BinaryWebSocketFrame(last, frame.rsv() & ~WebSocketExtension.RSV1, inflated));
    } else {
      out.add(new ContinuationWebSocketFrame(last, frame.rsv(), inflated));
    }
    inMessage = !last;
    messageBytes = last ? 0 : messageBytes + inflated.readableBytes();
  }

  private ByteBuf inflate(ChannelHandlerContext ctx, ByteBuf in, boolean last) {
    if (inflater == null) {
      inflater = new Inflater(true);
    }
    long budget = maxMessageBytes - messageBytes; // what this frame may still add
    // Chat-sized text compresses 2-5x; the buffer doubles when that guess is short.
    // Never more than one byte past the budget: the allocator rounds capacities up (to a power of
    // two, then 4 MiB steps), so the maximum capacity is what holds the bound.
    int most = (int) (budget + 1);
    ByteBuf out =
        ctx.alloc().heapBuffer((int) Math.min(Math.max(256, in.readableBytes() * 4L), most), most);
    try {
      inflater.setInput(in.nioBuffer());
      drain(out, budget);
      if (last) {
        if (!inflater.finished()) {
          inflater.setInput(TAIL);
          drain(out, budget);
        }
        if (noContextTakeover || inflater.finished()) {
          inflater.reset();
        }
      }
      return out;
    } catch (TooBig e) {
      out.release();
      release();
      throw new CorruptedWebSocketFrameException(
          WebSocketCloseStatus.MESSAGE_TOO_BIG,
          "a message inflates to more than "
              + maxMessageBytes
              + " bytes (outpost.websocket.max-message-size)");
    } catch (DataFormatException | RuntimeException e) {
      out.release();
      release();
      throw new CorruptedWebSocketFrameException(
          WebSocketCloseStatus.INVALID_PAYLOAD_DATA,
          "a compressed message is not valid deflate data: " + e.getMessage(),
          e);
    }
  }

  /** The message being inflated passed {@link #maxMessageBytes}. */
  private static final class TooBig extends Exception {
    TooBig() {
      super(null, null, false, false);
    }
  }

  /**
   * Inflates all the input set into {@code out}, growing it as needed up to one byte past {@code
   * budget}.
   *
   * @throws TooBig once {@code out} holds more than {@code budget} bytes
   */
  private void drain(ByteBuf out, long budget) throws DataFormatException, TooBig {
    while (!inflater.finished()) {
      if (!out.isWritable()) {
        out.ensureWritable(Math.min(out.capacity(), out.maxWritableBytes()));
      }
      int n =
          inflater.inflate(out.array(), out.arrayOffset() + out.writerIndex(), out.writableBytes());
      if (n > 0) {
        out.writerIndex(out.writerIndex() + n);
        if (out.writerIndex() > budget) {
          throw new TooBig();
        }
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

package org.rnnport.serve;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TensorFlow Serving's REST API ({@link RestApi}) on Netty: non-blocking I/O threads parse HTTP and
 * answer the light endpoints; predictions run on a fixed pool of workers behind a bound on the
 * requests admitted (queued, running or waiting for a batch): above it, 503 at once. A request must
 * arrive whole within the read timeout (a client stalled mid-header or mid-body is closed); an idle
 * keep-alive connection is closed after the idle timeout; header and body sizes are limited (431,
 * 413). Keep-alive and pipelined requests are answered in order. {@link #stop} drains.
 */
public final class RestServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RestServer.class);

  /**
   * Server settings: address, prediction workers, body limit, requests admitted at once, rows per
   * request, micro-batching window (0 = off; TF Serving-style batching is configured on the
   * {@link Inference} instead), read timeout of a request, idle timeout of a connection, deadline of
   * a prediction, header limit.
   */
  public record Config(String host, int port, int threads, long maxBodyBytes, int maxInFlight, int maxBatch,
      long batchWindowMicros, long readTimeoutMillis, long idleTimeoutMillis, long requestTimeoutMillis,
      int maxHeaderBytes) {
    public Config(String host, int port, int threads, long maxBodyBytes, int maxInFlight, int maxBatch) {
      this(host, port, threads, maxBodyBytes, maxInFlight, maxBatch, 0);
    }

    public Config(String host, int port, int threads, long maxBodyBytes, int maxInFlight, int maxBatch,
        long batchWindowMicros) {
      this(host, port, threads, maxBodyBytes, maxInFlight, maxBatch, batchWindowMicros, 10_000, 60_000, 30_000, 16 << 10);
    }

    public static Config defaults() {
      return new Config("127.0.0.1", 8501, 16, 16L << 20, 64, 1024, 0);
    }

    public Config withPort(int port) {
      return new Config(host, port, threads, maxBodyBytes, maxInFlight, maxBatch, batchWindowMicros, readTimeoutMillis,
          idleTimeoutMillis, requestTimeoutMillis, maxHeaderBytes);
    }

    public Config withTimeouts(long readMillis, long idleMillis, long requestMillis) {
      return new Config(host, port, threads, maxBodyBytes, maxInFlight, maxBatch, batchWindowMicros, readMillis, idleMillis,
          requestMillis, maxHeaderBytes);
    }
  }

  private static final AttributeKey<Conn> CONN = AttributeKey.valueOf("rnnport.conn");

  private final Config config;
  private final Inference inference;
  private final boolean ownsInference;
  private final RestApi api;
  private final Metrics metrics;
  private final Semaphore admitted;
  private final ThreadPoolExecutor workers;
  private final EventLoopGroup boss = new NioEventLoopGroup(1, new io.netty.util.concurrent.DefaultThreadFactory("rnnport-http-accept", true));
  private final EventLoopGroup io;
  private final AtomicInteger openConnections = new AtomicInteger();
  private Channel serverChannel;

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** A server with its own {@link Inference} (micro-batching from {@code config.batchWindowMicros()}). */
  public RestServer(ModelRepository repo, Config config) {
    this(new Inference(repo, config.batchWindowMicros() > 0 ? new BatchingOptions(config.maxBatch(),
        config.batchWindowMicros(), 2, Math.max(1, config.maxInFlight() / config.maxBatch() + 1), java.util.List.of(), false)
        : null, config.requestTimeoutMillis()), config, new Metrics(), true);
  }

  /** A server over a shared {@link Inference} and {@link Metrics} (e.g. beside the gRPC server). */
  public RestServer(Inference inference, Config config, Metrics metrics) {
    this(inference, config, metrics, false);
  }

  private RestServer(Inference inference, Config config, Metrics metrics, boolean ownsInference) {
    this.config = config;
    this.inference = inference;
    this.ownsInference = ownsInference;
    this.metrics = metrics;
    this.api = new RestApi(inference, metrics);
    this.admitted = new Semaphore(config.maxInFlight());
    AtomicInteger n = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(config.threads(), config.threads(), 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(Math.max(1, config.maxInFlight())), r -> daemon(r, "rnnport-rest-" + n.incrementAndGet()),
        new ThreadPoolExecutor.AbortPolicy());
    workers.prestartAllCoreThreads(); // a fixed set of threads from the start, however many clients come
    this.io = new NioEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
        new io.netty.util.concurrent.DefaultThreadFactory("rnnport-http-io", true));
  }

  /** Also serves Prometheus metrics at {@code path} (TF Serving's monitoring config), or not (null). */
  public RestServer prometheusPath(String path) {
    api.prometheusPath(path);
    return this;
  }

  /** Binds and starts accepting. */
  public void start() {
    ServerBootstrap b = new ServerBootstrap().group(boss, io).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            Conn conn = new Conn();
            ch.attr(CONN).set(conn);
            openConnections.incrementAndGet();
            ch.closeFuture().addListener(f -> {
              openConnections.decrementAndGet();
              conn.cancelDeadline();
            });
            ChannelPipeline p = ch.pipeline();
            p.addLast(new IdleStateHandler(0, 0, config.idleTimeoutMillis(), TimeUnit.MILLISECONDS));
            p.addLast(new ReadDeadline());
            p.addLast(new HttpServerCodec(8192, config.maxHeaderBytes(), 64 << 10));
            p.addLast(new Aggregator((int) Math.min(Integer.MAX_VALUE, config.maxBodyBytes())));
            p.addLast(new Handler());
          }
        });
    serverChannel = b.bind(new InetSocketAddress(config.host(), config.port())).syncUninterruptibly().channel();
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  public Metrics metrics() {
    return metrics;
  }

  /** Connections open now (stalled ones included). */
  public int openConnections() {
    return openConnections.get();
  }

  /** Per connection: whether a request is being read or answered, its deadline, and pipelined requests waiting. */
  private static final class Conn {
    boolean reading;
    boolean busy;
    /** The request being answered, for the log ("POST /v1/models/x:predict"). */
    String what;
    ScheduledFuture<?> deadline;
    final Deque<FullHttpRequest> waiting = new ArrayDeque<>();

    void cancelDeadline() {
      if (deadline != null) {
        deadline.cancel(false);
        deadline = null;
      }
    }
  }

  /** Closes a connection whose request has not arrived whole within the read timeout, or that idles. */
  private final class ReadDeadline extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Conn c = ctx.channel().attr(CONN).get();
      if (!c.reading && msg instanceof ByteBuf b && b.isReadable()) {
        c.reading = true;
        c.deadline = ctx.executor().schedule(() -> {
          // e.g. a body shorter than its Content-Length: the client gets its status, then the close
          LOG.info("rest 408 from {}: no whole request within {} ms; closing the connection",
              ctx.channel().remoteAddress(), config.readTimeoutMillis());
          metrics.record(null, 408, config.readTimeoutMillis() / 1e3);
          FullHttpResponse r = response(RestApi.Reply.error(408, "the request did not arrive whole within "
              + config.readTimeoutMillis() + " ms (a body shorter than its Content-Length?)"));
          r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
          ctx.channel().writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }, config.readTimeoutMillis(), TimeUnit.MILLISECONDS);
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        Conn c = ctx.channel().attr(CONN).get();
        if (!c.busy) {
          ctx.close();
        }
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("connection error: {}", cause.toString());
      ctx.close();
    }
  }

  /** Netty's aggregator, with TF Serving-style JSON for a body over the limit. */
  private final class Aggregator extends HttpObjectAggregator {
    Aggregator(int max) {
      super(max, true);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      metrics.record(null, 413, 0);
      LOG.info("rest 413 {} from {}: body over the limit of {} bytes", oversized instanceof HttpRequest q
          ? ServingException.cut(q.method() + " " + q.uri()) : "?", ctx.channel().remoteAddress(), config.maxBodyBytes());
      FullHttpResponse r = response(RestApi.Reply.error(413, "request body is over the limit of "
          + config.maxBodyBytes() + " bytes"));
      if (oversized instanceof HttpRequest req && (oversized instanceof io.netty.handler.codec.http.FullHttpMessage
          || !HttpUtil.is100ContinueExpected(req) && !HttpUtil.isKeepAlive(req))) {
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.writeAndFlush(r).addListener(f -> {
          if (!f.isSuccess()) {
            ctx.close();
          }
        });
      }
      Conn c = ctx.channel().attr(CONN).get();
      c.reading = false;
      c.cancelDeadline();
    }
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    Handler() {
      super(false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      Conn c = ctx.channel().attr(CONN).get();
      c.reading = false;
      c.cancelDeadline();
      if (c.busy) {
        if (c.waiting.size() >= 16) {
          req.release();
          ctx.close();
          return;
        }
        c.waiting.add(req);
        return;
      }
      serve(ctx, c, req);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("connection error: {}", cause.toString());
      ctx.close();
    }
  }

  private void serve(ChannelHandlerContext ctx, Conn c, FullHttpRequest req) {
    long t0 = System.nanoTime();
    c.busy = true;
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    if (!req.decoderResult().isSuccess()) {
      Throwable cause = req.decoderResult().cause();
      boolean tooLong = cause instanceof TooLongFrameException;
      req.release();
      finish(ctx, c, t0, null, RestApi.Reply.error(tooLong ? 431 : 400, tooLong ? "request line or headers over the "
          + "limit of " + config.maxHeaderBytes() + " bytes" : "bad HTTP request: " + cause), false);
      return;
    }
    String method = req.method().name();
    String path;
    try {
      path = new QueryStringDecoder(req.uri()).path();
    } catch (IllegalArgumentException e) { // a bad escape such as %ZZ
      req.release();
      c.what = method + " " + req.uri();
      finish(ctx, c, t0, null, RestApi.Reply.error(400, "bad request path " + req.uri() + ": " + e.getMessage()), keepAlive);
      return;
    }
    c.what = method + " " + path;
    String model = api.modelOf(path);
    if (!RestApi.heavy(path)) {
      byte[] body = ByteBufUtil.getBytes(req.content());
      req.release();
      RestApi.Reply r = api.handle(method, path, body).join(); // light endpoints answer at once
      finish(ctx, c, t0, model, r, keepAlive);
      return;
    }
    if (api.draining()) {
      req.release();
      finish(ctx, c, t0, model, RestApi.Reply.error(503, "shutting down"), keepAlive);
      return;
    }
    Slot slot = Slot.tryAcquire(admitted, metrics);
    if (slot == null) {
      req.release();
      metrics.rejectedBusy.increment();
      finish(ctx, c, t0, model, RestApi.Reply.error(503, "server busy: " + config.maxInFlight()
          + " requests admitted; retry"), keepAlive);
      return;
    }
    // from here on the slot is released exactly once, whatever is thrown (Errors included)
    try {
      byte[] body;
      try {
        body = ByteBufUtil.getBytes(req.content());
      } finally {
        req.release();
      }
      workers.execute(() -> {
        CompletableFuture<RestApi.Reply> f;
        try {
          f = api.handle(method, path, body);
        } catch (Throwable e) {
          f = CompletableFuture.failedFuture(e);
        }
        f.orTimeout(config.requestTimeoutMillis(), TimeUnit.MILLISECONDS)
            .exceptionally(RestApi::errorReply)
            .whenComplete((r, e) -> {
              RestApi.Reply reply = r != null ? r : RestApi.Reply.error(500, "internal error: " + e);
              // the slot is held until the answer is written: a drain that sees no slot taken has
              // nothing left to send
              try {
                ctx.executor().execute(() -> {
                  try {
                    finish(ctx, c, t0, model, reply, keepAlive).addListener(w -> slot.release());
                  } catch (Throwable t) {
                    slot.release();
                    throw t;
                  }
                });
              } catch (Throwable t) { // the event loop is gone (the connection closed, or the server stopped)
                slot.release();
              }
            });
      });
    } catch (RejectedExecutionException e) {
      slot.release();
      metrics.rejectedBusy.increment();
      finish(ctx, c, t0, model, RestApi.Reply.error(503, "server busy; retry"), keepAlive);
    } catch (Throwable e) {
      slot.release();
      finish(ctx, c, t0, model, RestApi.errorReply(e), keepAlive);
    }
  }

  /** A refused request's cause, on one line: busy servers at debug, the rest at info (5xx at warn). */
  private static void logRefusal(Conn c, RestApi.Reply r) {
    String what = ServingException.cut(c.what == null ? "?" : c.what);
    String why = ServingException.cut(new String(r.body(), StandardCharsets.UTF_8));
    if (r.status() >= 500 && r.status() != 503) {
      LOG.warn("rest {} {}: {}", r.status(), what, why);
    } else if (r.status() == 503) {
      LOG.debug("rest {} {}: {}", r.status(), what, why);
    } else {
      LOG.info("rest {} {}: {}", r.status(), what, why);
    }
  }

  /** Writes a reply (on the connection's I/O thread), then serves the next pipelined request. */
  private io.netty.channel.ChannelFuture finish(ChannelHandlerContext ctx, Conn c, long t0, String model, RestApi.Reply r,
      boolean keepAlive) {
    metrics.record(model, r.status(), (System.nanoTime() - t0) / 1e9);
    if (r.status() >= 400) {
      logRefusal(c, r);
    }
    FullHttpResponse resp = response(r);
    if (!keepAlive) {
      resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      io.netty.channel.ChannelFuture written = ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
      c.busy = false;
      return written;
    }
    resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    io.netty.channel.ChannelFuture written = ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    c.busy = false;
    FullHttpRequest next = c.waiting.poll();
    if (next != null) {
      serve(ctx, c, next);
    }
    return written;
  }

  private static FullHttpResponse response(RestApi.Reply r) {
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
        Unpooled.wrappedBuffer(r.body()));
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
    return resp;
  }

  /**
   * Graceful stop: the listener closes at once (new connections are refused), new predictions on
   * open connections get 503 and /healthz says so, those admitted finish (up to
   * {@code drainSeconds}), then the connections and the threads close. Returns whether every
   * admitted request finished within the drain time.
   */
  public boolean stop(int drainSeconds) {
    api.drain();
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
    while (admittedNow() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    boolean drained = admittedNow() == 0;
    io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdown();
    if (ownsInference) {
      inference.close();
    }
    return drained;
  }

  /** Requests admitted by this server and not yet answered. */
  int admittedNow() {
    return config.maxInFlight() - admitted.availablePermits();
  }

  @Override
  public void close() {
    stop(5);
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}

package dev.ampere.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * A cleartext HTTP/2 connection with prior knowledge written by hand, for tests that look at frames and at when the
 * server closes (the JDK's client cannot open with the preface). Requests are GETs whose header block is HPACK
 * literals without Huffman coding; responses are read as frames (their header blocks are not decoded), each DATA
 * frame giving the connection's flow-control window back.
 */
public final class RawHttp2 implements AutoCloseable {
    public static final int DATA = 0x0, HEADERS = 0x1, RST_STREAM = 0x3, SETTINGS = 0x4, GOAWAY = 0x7, WINDOW_UPDATE = 0x8;
    public static final int END_STREAM = 0x1, END_HEADERS = 0x4;

    /** One frame as received. */
    public record Frame(int type, int flags, int stream, byte[] payload) {
        public boolean endStream() {
            return (type == DATA || type == HEADERS) && (flags & END_STREAM) != 0;
        }
    }

    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;

    /** Opens the connection; with {@code preface}, sends the preface and an empty SETTINGS frame. */
    public RawHttp2(int port, boolean preface) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(30_000);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
        if (preface) {
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            frame(SETTINGS, 0, 0, new byte[0]);
            out.flush();
        }
    }

    /** Sends a GET of {@code path} on {@code stream} (odd, increasing), its headers ending the stream. */
    public void get(int stream, String path) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82); // :method GET (static table)
        block.write(0x86); // :scheme http
        literal(block, 0x04, path); // :path
        literal(block, 0x01, "localhost"); // :authority
        frame(HEADERS, END_HEADERS | END_STREAM, stream, block.toByteArray());
        out.flush();
    }

    /** Resets {@code stream} with CANCEL, as a client that gives up on a response. */
    public void reset(int stream) throws IOException {
        frame(RST_STREAM, 0, stream, new byte[]{0, 0, 0, 0x8});
        out.flush();
    }

    /** The next frame; null when the server closed the connection (or reset it). */
    public Frame read() throws IOException {
        try {
            int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = in.readNBytes(length);
            if (type == DATA && length > 0) {
                // as any client that reads: the connection's window opens again by what was read (a stream's own
                // window is left alone; the tests here read small bodies, or reset the stream)
                frame(WINDOW_UPDATE, 0, 0, java.nio.ByteBuffer.allocate(4).putInt(length).array());
                out.flush();
            }
            return new Frame(type, flags, stream, payload);
        } catch (EOFException | SocketException closed) {
            return null;
        }
    }

    /** Reads until {@code stream} ends; returns its DATA, or throws at a GOAWAY, a reset or the connection's end. */
    public String body(int stream) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            Frame f = read();
            if (f == null) throw new IOException("connection closed before stream " + stream + " ended");
            if (f.type() == GOAWAY) throw new IOException("GOAWAY");
            if (f.type() == RST_STREAM && f.stream() == stream) throw new IOException("stream " + stream + " reset");
            if (f.stream() != stream) continue;
            if (f.type() == DATA) body.writeBytes(f.payload());
            if (f.endStream()) return body.toString(StandardCharsets.UTF_8);
        }
    }

    /** True once the server has closed the connection: every frame it still sends is read and dropped. */
    public boolean closedByServer() throws IOException {
        while (read() != null) {
            // frames before the close (SETTINGS, its ACK, a GOAWAY)
        }
        return true;
    }

    private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
        out.writeByte(payload.length >>> 16);
        out.writeShort(payload.length & 0xffff);
        out.writeByte(type);
        out.writeByte(flags);
        out.writeInt(stream);
        out.write(payload);
    }

    /** An HPACK literal header field without indexing, its name from the static table (index and length < 15/127). */
    private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        block.write(nameIndex);
        block.write(v.length);
        block.writeBytes(v);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

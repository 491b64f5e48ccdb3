package dev.cnai.training;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An ordered list of named tensors (model parameters, gradients or updates), with a compact deterministic
 * binary codec: magic {@code CNAIWTS1}, int32 count, then per tensor int32 name length, UTF-8 name,
 * int32 rank, int32 dims and float32 values, all little-endian.
 */
public record Weights(List<Tensor> tensors) {
    private static final byte[] MAGIC = "CNAIWTS1".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_RANK = 8;
    private static final int MAX_NAME = 1024;

    public Weights {
        tensors = List.copyOf(tensors);
        Set<String> names = new HashSet<>();
        for (Tensor t : tensors) {
            if (!names.add(t.name())) {
                throw TrainingException.incompatible("duplicate tensor name " + t.name());
            }
        }
    }

    /** The tensor with the given name; {@link TrainingException#incompatible} when absent. */
    public Tensor get(String name) {
        for (Tensor t : tensors) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw TrainingException.incompatible("no tensor named " + name);
    }

    /** Serialises the tensors; equal weights always give identical bytes. */
    public byte[] encode() {
        long size = MAGIC.length + 4L;
        List<byte[]> names = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) {
            byte[] n = t.name().getBytes(StandardCharsets.UTF_8);
            names.add(n);
            size += 4L + n.length + 4L + 4L * t.shape().length + 4L * t.data().length;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw TrainingException.incompatible("weights too large to encode: " + size + " bytes");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).putInt(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            buf.putInt(names.get(i).length).put(names.get(i)).putInt(t.shape().length);
            for (int d : t.shape()) {
                buf.putInt(d);
            }
            buf.asFloatBuffer().put(t.data());
            buf.position(buf.position() + 4 * t.data().length);
        }
        return buf.array();
    }

    /** Parses {@link #encode()} output; garbled or truncated bytes give {@link TrainingException#corrupt}. */
    public static Weights decode(byte[] bytes) {
        if (bytes == null || bytes.length < MAGIC.length + 4) {
            throw TrainingException.corrupt("too short (" + (bytes == null ? 0 : bytes.length) + " bytes)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        buf.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw TrainingException.corrupt("bad magic, expected CNAIWTS1");
        }
        int count = buf.getInt();
        // each tensor takes at least 8 bytes (name length + rank)
        if (count < 0 || count > buf.remaining() / 8) {
            throw TrainingException.corrupt("implausible tensor count " + count);
        }
        List<Tensor> tensors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int nameLen = readInt(buf, "name length of tensor " + i);
            if (nameLen < 0 || nameLen > MAX_NAME || nameLen > buf.remaining()) {
                throw TrainingException.corrupt("bad name length " + nameLen + " of tensor " + i);
            }
            String name = utf8(buf, nameLen, i);
            int rank = readInt(buf, "rank of tensor " + name);
            if (rank < 0 || rank > MAX_RANK) {
                throw TrainingException.corrupt("bad rank " + rank + " of tensor " + name);
            }
            int[] shape = new int[rank];
            long size = 1;
            for (int d = 0; d < rank; d++) {
                shape[d] = readInt(buf, "shape of tensor " + name);
                if (shape[d] < 0) {
                    throw TrainingException.corrupt("negative dimension in tensor " + name);
                }
                size *= shape[d];
                if (size > buf.remaining() / 4) {
                    throw TrainingException.corrupt("tensor " + name + " is truncated");
                }
            }
            if (size * 4 > buf.remaining()) {
                throw TrainingException.corrupt("tensor " + name + " is truncated");
            }
            float[] data = new float[(int) size];
            buf.asFloatBuffer().get(data);
            buf.position(buf.position() + 4 * data.length);
            tensors.add(new Tensor(name, shape, data));
        }
        if (buf.hasRemaining()) {
            throw TrainingException.corrupt(buf.remaining() + " trailing bytes");
        }
        try {
            return new Weights(tensors);
        } catch (TrainingException e) {
            throw TrainingException.corrupt(e.getMessage());
        }
    }

    private static int readInt(ByteBuffer buf, String what) {
        if (buf.remaining() < 4) {
            throw TrainingException.corrupt("truncated at " + what);
        }
        return buf.getInt();
    }

    private static String utf8(ByteBuffer buf, int len, int index) {
        ByteBuffer slice = buf.slice().limit(len);
        buf.position(buf.position() + len);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw TrainingException.corrupt("name of tensor " + index + " is not valid UTF-8");
        }
    }
}

package dev.cnai.training;

import dev.cnai.data.Dataset;
import java.util.SplittableRandom;

/**
 * Random-translation augmentation of square one-channel images (the {@code augment} training option): each
 * epoch, every training image moves by its own (dx, dy), each uniform in [-max, max] pixels; pixels shifted in
 * from outside the image are 0 (the raw background, before normalisation). Both engines draw the same shifts
 * from the same seed, so they still see the same batches.
 */
final class Shifts {
    /** Mixed into the training seed so the shifts do not reuse the shuffle's stream. */
    private static final long STREAM = 0x5DEECE66DL;

    private final int side;
    private final int max;
    private final SplittableRandom rng;

    private Shifts(int side, int max, long seed) {
        this.side = side;
        this.max = max;
        this.rng = new SplittableRandom(seed ^ STREAM);
    }

    /**
     * The shifts of one training call, or {@code null} when {@code max} is 0 (no augmentation).
     *
     * @throws TrainingException {@code max} is negative or at least half the image side, or the rows are not
     *                           square images
     */
    static Shifts of(int max, int features, long seed) {
        if (max == 0) {
            return null;
        }
        int side = (int) Math.round(Math.sqrt(features));
        if (side * side != features) {
            throw TrainingException.invalidSpec("augment shifts square one-channel images, but " + features
                    + " features is not a square; set augment to 0 for this data");
        }
        if (max < 0 || 2 * max >= side) {
            throw TrainingException.invalidSpec("augment must be in [0, " + ((side - 1) / 2) + "] pixels for "
                    + side + "×" + side + " images, got " + max);
        }
        return new Shifts(side, max, seed);
    }

    /** The next epoch's copy of {@code d.x()}, every image translated by a fresh random offset. */
    float[] next(Dataset d) {
        float[] src = d.x();
        float[] dst = new float[src.length];
        int pixels = side * side;
        for (int r = 0; r < d.rows(); r++) {
            int dx = rng.nextInt(2 * max + 1) - max;
            int dy = rng.nextInt(2 * max + 1) - max;
            int len = side - Math.abs(dx);
            int base = r * pixels;
            for (int i = Math.max(0, dy); i < Math.min(side, side + dy); i++) {
                System.arraycopy(src, base + (i - dy) * side + Math.max(0, -dx), dst, base + i * side + Math.max(0, dx),
                        len);
            }
        }
        return dst;
    }
}

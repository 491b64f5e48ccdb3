package dev.cnai.storage.impl;

import com.oracle.svm.core.annotate.Substitute;
import com.oracle.svm.core.annotate.TargetClass;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.checksums.spi.ChecksumAlgorithm;

/**
 * Native image only (never loaded on a JVM): the AWS SDK's checksum code names the optional {@code aws-crt}
 * library's CRC-64/NVME and CRC-32C classes directly, behind a run-time "is it on the class path" check. The
 * project does not ship {@code aws-crt} (a 20 MB native library for checksums S3 does not require of us), and
 * Quarkus links every class at image build time, so the builder stops at those references (register's check in
 * {@code scripts/native-check.sh}: "Discovered unresolved type during parsing:
 * software.amazon.awssdk.crt.checksums.CRC64NVME", then the same for {@code XXHash}; the SDK issue is
 * aws/aws-sdk-java-v2#5682). These substitutions replace the three CRT branches of the SDK's {@code ChecksumProvider}
 * (CRC-64/NVME, CRC-32C, the xxHash family) by what the SDK itself does when {@code aws-crt} is absent: throw its own
 * message. CRC-32C keeps working through the JDK's {@code java.util.zip.CRC32C}, which the SDK prefers.
 */
final class AwsCrtAbsentSubstitutions {
    private AwsCrtAbsentSubstitutions() {
    }

    static final String MESSAGE = "Could not load software.amazon.awssdk.crt.checksums.%s. Add dependency on "
            + "'software.amazon.awssdk.crt:aws-crt' module to enable %s feature (not in this native image).";

    @TargetClass(className = "software.amazon.awssdk.checksums.internal.ChecksumProvider")
    static final class Target_ChecksumProvider {
        @Substitute
        static SdkChecksum crc64NvmeCrtImplementation() {
            throw new RuntimeException(String.format(MESSAGE, "CRC64NVME", "CRC64NVME"));
        }

        @Substitute
        static SdkChecksum createCrtCrc32C() {
            throw new RuntimeException(String.format(MESSAGE, "CRC32C", "CRC32C"));
        }

        @Substitute
        static SdkChecksum crtXxHash(ChecksumAlgorithm algorithm) {
            throw new RuntimeException(String.format(MESSAGE, "XXHash", algorithm.algorithmId()));
        }
    }
}

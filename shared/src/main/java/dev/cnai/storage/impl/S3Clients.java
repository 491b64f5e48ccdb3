package dev.cnai.storage.impl;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the one {@link S3Client} of a store from its {@link S3Location}. */
final class S3Clients {
    private S3Clients() {
    }

    /** Credentials from the SDK's default chain: system properties, environment, web identity, profile, container, IMDS. */
    static AwsCredentialsProvider defaultCredentials() {
        return DefaultCredentialsProvider.builder().build();
    }

    static S3Client build(S3Location where, AwsCredentialsProvider credentials) {
        S3ClientBuilder b = S3Client.builder()
                .region(Region.of(where.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(where.pathStyle())
                // the JDK's HttpURLConnection: no Netty or Apache HttpClient on the class path
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(60))
                        .build())
                // the SDK's standard retry strategy, set explicitly: exponential backoff with jitter on throttling,
                // 5xx and I/O errors; no retries of 4xx such as 412 PreconditionFailed
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(where.maxAttempts()).build()))
                // the store hashes every object with sha256 itself; CRC trailers are only sent where S3 needs them,
                // which keeps S3-compatible servers that lack flexible checksums working
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        where.endpoint().ifPresent(b::endpointOverride);
        return b.build();
    }
}

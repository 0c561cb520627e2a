package io.github.cdkkmspatterns.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.cxapi.CloudAssembly;

/**
 * Synthesizes the Java consumer app once (into CONSUMER_OUTDIR, or a temporary directory), checks
 * what the library promises with plain JSON checks, and compares the whole output with the
 * TypeScript app's (TS_CONSUMER_OUTDIR) through test/consumers/compare.py.
 */
class ConsumerAppTest {
    private static Path outdir;
    private static CloudAssembly assembly;

    @BeforeAll
    static void synth() throws IOException {
        final String configured = System.getenv("CONSUMER_OUTDIR");
        outdir = configured != null && !configured.isEmpty()
            ? Paths.get(configured).toAbsolutePath()
            : Files.createTempDirectory("java-consumer-");
        assembly = ConsumerApp.synth(outdir.toString());
    }

    // --- plain JSON helpers ------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(final Object value) {
        return (Map<String, Object>) value;
    }

    private static List<?> list(final Object value) {
        return value instanceof List ? (List<?>) value : List.of(value);
    }

    private static Map<String, Object> resources(final String stack) {
        return map(map(assembly.getStackByName(stack).getTemplate()).get("Resources"));
    }

    /** The one resource of {@code type} whose logical id starts with {@code prefix}. */
    private static Map<String, Object> resource(final String stack, final String prefix, final String type) {
        final List<Map<String, Object>> found = resources(stack).entrySet().stream()
            .filter(e -> e.getKey().startsWith(prefix) && type.equals(map(e.getValue()).get("Type")))
            .map(e -> map(e.getValue()))
            .collect(Collectors.toList());
        assertEquals(1, found.size(), "resources " + prefix + "* of type " + type + " in " + stack);
        return found.get(0);
    }

    private static Map<String, Object> props(final String stack, final String prefix, final String type) {
        return map(resource(stack, prefix, type).get("Properties"));
    }

    private static List<Map<String, Object>> keyPolicy(final String stack, final String prefix, final String type) {
        return list(map(props(stack, prefix, type).get("KeyPolicy")).get("Statement")).stream()
            .map(ConsumerAppTest::map).collect(Collectors.toList());
    }

    private static String logicalId(final String stack, final String prefix, final String type) {
        return resources(stack).entrySet().stream()
            .filter(e -> e.getKey().startsWith(prefix) && type.equals(map(e.getValue()).get("Type")))
            .map(Map.Entry::getKey).findFirst().orElseThrow();
    }

    // --- the checks ----------------------------------------------------------------------------

    @Test
    void synthesizesEveryStack() {
        final Set<String> names = assembly.getStacks().stream()
            .map(s -> s.getStackName()).collect(Collectors.toSet());
        assertEquals(Set.of("ConsumerKeys", "ConsumerKeysDr", "ConsumerWorkload", "ConsumerPartner", "ConsumerStorage"), names);
        assertTrue(Files.isRegularFile(outdir.resolve("ConsumerKeys.template.json")));
    }

    @Test
    void keySpecsUsagesAndRotation() {
        final Map<String, Object> data = props("ConsumerKeys", "DataKey", "AWS::KMS::Key");
        assertEquals("SYMMETRIC_DEFAULT", data.get("KeySpec"));
        assertEquals("ENCRYPT_DECRYPT", data.get("KeyUsage"));
        assertEquals(true, data.get("EnableKeyRotation"));
        assertEquals(365, ((Number) data.get("RotationPeriodInDays")).intValue());
        assertEquals(true, data.get("MultiRegion"));

        final Map<String, Object> signing = props("ConsumerKeys", "SigningKey", "AWS::KMS::Key");
        assertEquals("RSA_3072", signing.get("KeySpec"));
        assertEquals("SIGN_VERIFY", signing.get("KeyUsage"));
        assertEquals(false, signing.get("EnableKeyRotation"));

        final Map<String, Object> token = props("ConsumerKeys", "TokenKey", "AWS::KMS::Key");
        assertEquals("ECC_NIST_P256", token.get("KeySpec"));
        assertEquals("SIGN_VERIFY", token.get("KeyUsage"));

        final Map<String, Object> mac = props("ConsumerKeys", "MacKey", "AWS::KMS::Key");
        assertEquals("HMAC_256", mac.get("KeySpec"));
        assertEquals("GENERATE_VERIFY_MAC", mac.get("KeyUsage"));
        assertEquals(false, mac.get("EnableKeyRotation"));

        assertEquals("Retain", resource("ConsumerKeys", "DataKey", "AWS::KMS::Key").get("DeletionPolicy"));
    }

    @Test
    void leastPrivilegeStatementWithViaService() {
        final String appRole = logicalId("ConsumerKeys", "AppRole", "AWS::IAM::Role");
        final List<Map<String, Object>> statements = keyPolicy("ConsumerKeys", "DataKey", "AWS::KMS::Key");
        final List<Map<String, Object>> forAppRole = new ArrayList<>();
        for (final Map<String, Object> st : statements) {
            final Object principal = map(st.get("Principal")).get("AWS");
            if (principal instanceof Map && String.valueOf(principal).contains(appRole)) {
                forAppRole.add(st);
            }
        }
        assertEquals(1, forAppRole.size(), "one statement for the app role");
        final Map<String, Object> st = forAppRole.get(0);
        assertEquals(List.of("kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"),
            list(st.get("Action")));
        final Map<String, Object> equals = map(map(st.get("Condition")).get("StringEquals"));
        assertEquals("s3.eu-west-1.amazonaws.com", equals.get("kms:ViaService"));
        assertEquals("111111111111", equals.get("kms:CallerAccount"));

        for (final Map<String, Object> s : statements) {
            assertFalse(list(s.get("Action")).contains("kms:*"), "no kms:* in a least-privilege key policy: " + s);
        }
    }

    @Test
    void principalTagsAndEncryptionContextReachTheKeyPolicy() {
        final Map<String, Object> st = keyPolicy("ConsumerKeys", "DataKey", "AWS::KMS::Key").stream()
            .filter(s -> String.valueOf(s.get("Condition")).contains("role/analytics/*"))
            .findFirst().orElseThrow();
        final Map<String, Object> condition = map(st.get("Condition"));
        assertEquals("analytics", map(condition.get("StringEquals")).get("aws:PrincipalTag/team"));
        assertEquals("arn:aws:s3:::consumer-data/*", map(condition.get("StringLike")).get("kms:EncryptionContext:aws:s3:arn"));
    }

    @Test
    void replicaKeyInTheDrRegion() {
        final Map<String, Object> replica = props("ConsumerKeysDr", "DataKeyReplica", "AWS::KMS::ReplicaKey");
        assertNotNull(replica.get("PrimaryKeyArn"));
        assertNotNull(replica.get("KeyPolicy"));
        assertEquals("alias/consumer/data", props("ConsumerKeysDr", "DataKeyReplica", "AWS::KMS::Alias").get("AliasName"));
        assertEquals("us-east-1", assembly.getStackByName("ConsumerKeysDr").getEnvironment().getRegion());
        assertEquals("111111111111", assembly.getStackByName("ConsumerKeysDr").getEnvironment().getAccount());
        assertTrue(keyPolicy("ConsumerKeys", "DataKey", "AWS::KMS::Key").stream()
            .anyMatch(s -> "Replicate".equals(s.get("Sid"))), "the primary lets the DR deployment role replicate it");
    }

    @Test
    void partnerRoleGetsATagScopedIdentityPolicy() {
        final Map<String, Object> policy = map(props("ConsumerPartner", "ImporterRole", "AWS::IAM::Policy").get("PolicyDocument"));
        final Map<String, Object> st = map(list(policy.get("Statement")).get(0));
        assertEquals("kms:Decrypt", st.get("Action"));
        assertNotEquals("*", st.get("Resource"));
        assertTrue(String.valueOf(st.get("Condition")).contains("aws:ResourceTag/cdk-kms-patterns:key"));
    }

    // --- storage and parameters (ConsumerStorage) ---------------------------------------------

    private static final String STORAGE = "ConsumerStorage";

    /** Every map key anywhere inside a JSON value. */
    private static Set<String> keysIn(final Object value) {
        final Set<String> keys = new java.util.HashSet<>();
        if (value instanceof Map) {
            for (final Map.Entry<String, Object> e : map(value).entrySet()) {
                keys.add(e.getKey());
                keys.addAll(keysIn(e.getValue()));
            }
        } else if (value instanceof List) {
            for (final Object v : (List<?>) value) {
                keys.addAll(keysIn(v));
            }
        }
        return keys;
    }

    private static Object viaService(final Map<String, Object> statement) {
        return map(map(statement.get("Condition")).get("StringEquals")).get("kms:ViaService");
    }

    @Test
    void secureStringParametersKeepValuesOutOfTheTemplate() {
        final Map<String, Object> generated = props(STORAGE, "DbPassword", "Custom::SecureStringParameter");
        assertEquals("/consumer/db/password", generated.get("Name"));
        assertEquals(Map.of("Type", "generate", "Length", "40"), generated.get("Source"));
        assertEquals("Standard", generated.get("Tier"));
        assertEquals("retain", generated.get("RemovalPolicy"));
        assertTrue(String.valueOf(generated.get("KeyId")).contains("DataKey"), "encrypted with the data key");
        assertFalse(keysIn(generated).contains("Value"), "no value in the template: " + generated);

        final Map<String, Object> ciphertext = props(STORAGE, "ApiKey", "Custom::SecureStringParameter");
        assertEquals(Map.of(
            "Type", "ciphertext",
            "CiphertextBlob", ConsumerApp.API_KEY_CIPHERTEXT,
            "EncryptionContext", Map.of("app", "consumer")), ciphertext.get("Source"));
        assertFalse(keysIn(ciphertext).contains("Value"), "no value in the template: " + ciphertext);
    }

    @Test
    void bucketUsesSseKmsWithABucketKey() {
        final Map<String, Object> bucket = props(STORAGE, "OrdersBucket", "AWS::S3::Bucket");
        final Map<String, Object> rule = map(list(map(bucket.get("BucketEncryption")).get("ServerSideEncryptionConfiguration")).get(0));
        assertEquals(true, rule.get("BucketKeyEnabled"));
        final Map<String, Object> byDefault = map(rule.get("ServerSideEncryptionByDefault"));
        assertEquals("aws:kms", byDefault.get("SSEAlgorithm"));
        assertTrue(String.valueOf(byDefault.get("KMSMasterKeyID")).contains("DataKey"), "the data key: " + byDefault);
        assertEquals(Map.of("Status", "Enabled"), bucket.get("VersioningConfiguration"));
    }

    @Test
    void volumeLaunchTemplateAndEbsDefaultUseTheEbsKey() {
        final Map<String, Object> byEbsKey = Map.of("Fn::GetAtt", List.of(logicalId(STORAGE, "EbsKey", "AWS::KMS::Key"), "Arn"));
        final Map<String, Object> volume = props(STORAGE, "Scratch", "AWS::EC2::Volume");
        assertEquals("eu-west-1a", volume.get("AvailabilityZone"));
        assertEquals(20, ((Number) volume.get("Size")).intValue());
        assertEquals("gp3", volume.get("VolumeType"));
        assertEquals(true, volume.get("Encrypted"));
        assertEquals(byEbsKey, volume.get("KmsKeyId"));

        final Map<String, Object> data = map(props(STORAGE, "FleetTemplate", "AWS::EC2::LaunchTemplate").get("LaunchTemplateData"));
        final Map<String, Object> device = map(list(data.get("BlockDeviceMappings")).get(0));
        assertEquals("/dev/xvda", device.get("DeviceName"));
        final Map<String, Object> ebs = map(device.get("Ebs"));
        assertEquals(true, ebs.get("Encrypted"));
        assertEquals(byEbsKey, ebs.get("KmsKeyId"));
        assertEquals(30, ((Number) ebs.get("VolumeSize")).intValue());

        assertEquals(byEbsKey, props(STORAGE, "EbsDefault", "Custom::EbsEncryptionByDefault").get("KmsKeyId"));
        final Map<String, Object> accountWide = keyPolicy(STORAGE, "EbsKey", "AWS::KMS::Key").stream()
            .filter(s -> "EbsByDefaultAccountThroughEc2".equals(s.get("Sid"))).findFirst().orElseThrow();
        assertEquals("ec2.eu-west-1.amazonaws.com", viaService(accountWide));
    }

    @Test
    void theWorkerUsesKeysOnlyThroughTheirServices() {
        final String workerArnPart = "role/" + STORAGE + "-StorageWorker-";
        final Set<Object> onDataKey = keyPolicy("ConsumerKeys", "DataKey", "AWS::KMS::Key").stream()
            .filter(s -> String.valueOf(s.get("Condition")).contains(workerArnPart))
            .map(ConsumerAppTest::viaService)
            .collect(Collectors.toSet());
        assertEquals(Set.of("s3.eu-west-1.amazonaws.com", "ssm.eu-west-1.amazonaws.com", "sqs.eu-west-1.amazonaws.com"), onDataKey);

        final Map<String, Object> byWorker = Map.of("AWS", Map.of("Fn::GetAtt", List.of(logicalId(STORAGE, "StorageWorker", "AWS::IAM::Role"), "Arn")));
        final List<Object> onEbsKey = keyPolicy(STORAGE, "EbsKey", "AWS::KMS::Key").stream()
            .filter(s -> byWorker.equals(s.get("Principal")))
            .map(ConsumerAppTest::viaService)
            .collect(Collectors.toList());
        assertEquals(List.of("ec2.eu-west-1.amazonaws.com"), onEbsKey);
        final List<Object> onSecretKey = keyPolicy(STORAGE, "ApiSecretKey", "AWS::KMS::Key").stream()
            .filter(s -> byWorker.equals(s.get("Principal")))
            .map(ConsumerAppTest::viaService)
            .collect(Collectors.toList());
        assertEquals(List.of("secretsmanager.eu-west-1.amazonaws.com"), onSecretKey);
    }

    @Test
    void matchesTheTypeScriptApp() throws IOException, InterruptedException {
        final String tsOut = System.getenv("TS_CONSUMER_OUTDIR");
        Assumptions.assumeTrue(tsOut != null && !tsOut.isEmpty(), "TS_CONSUMER_OUTDIR not set: no TypeScript output to compare with");
        final Path compare = Paths.get(System.getProperty("consumers.dir", ".."), "compare.py").toAbsolutePath().normalize();
        final String python = System.getenv().getOrDefault("PYTHON", "python3");
        final Process process = new ProcessBuilder(python, compare.toString(), tsOut, outdir.toString(), "--labels", "typescript,java")
            .redirectErrorStream(true)
            .start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final int exit = process.waitFor();
        System.out.print(output);
        assertEquals(0, exit, "compare.py found differences:\n" + output);
    }
}

package io.github.cdkkmspatterns.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

import io.github.cdkkmspatterns.EncryptedVolume;
import io.github.cdkkmspatterns.EncryptionKey;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Size;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;

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

    /** The logical id of the one workflow {@code prefix}* (not its confirmation handler nor its completion-event callback). */
    private static String workflowId(final String stack, final String prefix) {
        final List<String> found = resources(stack).entrySet().stream()
            .filter(e -> e.getKey().startsWith(prefix) && "AWS::StepFunctions::StateMachine".equals(map(e.getValue()).get("Type")))
            .map(Map.Entry::getKey)
            .filter(id -> !id.startsWith(prefix + "ConfirmationHandler") && !id.startsWith(prefix + "CompletionEventsCallback"))
            .collect(Collectors.toList());
        assertEquals(1, found.size(), "workflows " + prefix + "* in " + stack + ": " + found);
        return found.get(0);
    }

    /** The properties of the one workflow {@code prefix}*. */
    private static Map<String, Object> workflow(final String stack, final String prefix) {
        return map(map(resources(stack).get(workflowId(stack, prefix))).get("Properties"));
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

    private static final String ACCOUNT = ConsumerApp.ACCOUNT;
    private static final String PARTNER = ConsumerApp.PARTNER_ACCOUNT;
    private static final List<String> STACKS =
        List.of("ConsumerKeys", "ConsumerKeysDr", "ConsumerWorkload", "ConsumerPartner", "ConsumerStorage");
    /** aws-cdk-lib's grantEncrypt contract on a symmetric key, written out. */
    private static final List<String> ENCRYPT_CONTRACT = List.of(
        "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
        "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo");
    /** What the CloudFormation execution role may do with a key through AWS services (CreateGrant apart). */
    private static final List<String> DEPLOY_THROUGH_SERVICES = List.of(
        "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncryptFrom", "kms:ReEncryptTo");

    /** An account root as key policies write it (the partition written out where the stack's Region tells it). */
    private static String accountRoot(final String account) {
        return "arn:aws:iam::" + account + ":root";
    }

    /** An account root as aws-cdk-lib writes it elsewhere (event bus policies). */
    private static Map<String, Object> joinedAccountRoot(final String account) {
        return Map.of("Fn::Join", List.of("", List.of("arn:", Map.of("Ref", "AWS::Partition"), ":iam::" + account + ":root")));
    }

    private static String deploymentRole(final String region) {
        return "arn:aws:iam::" + ACCOUNT + ":role/cdk-hnb659fds-cfn-exec-role-" + ACCOUNT + "-" + region;
    }

    private static Map<String, Object> getAtt(final String logicalId) {
        return Map.of("Fn::GetAtt", List.of(logicalId, "Arn"));
    }

    private static List<?> principals(final Map<String, Object> statement, final String kind) {
        final Object principal = statement.get("Principal");
        if (!(principal instanceof Map) || !map(principal).containsKey(kind)) {
            return List.of();
        }
        return list(map(principal).get(kind));
    }

    /** The policy statements of a resource: key policy, IAM policy, inline role policies. */
    private static List<Map<String, Object>> statementsOf(final Map<String, Object> resource) {
        final Map<String, Object> p = resource.get("Properties") instanceof Map ? map(resource.get("Properties")) : Map.of();
        final List<Object> documents = new ArrayList<>();
        documents.add(p.get("KeyPolicy"));
        documents.add(p.get("PolicyDocument"));
        if (p.get("Policies") != null) {
            for (final Object inline : list(p.get("Policies"))) {
                documents.add(map(inline).get("PolicyDocument"));
            }
        }
        final List<Map<String, Object>> statements = new ArrayList<>();
        for (final Object document : documents) {
            if (document != null) {
                list(map(document).get("Statement")).forEach(st -> statements.add(map(st)));
            }
        }
        return statements;
    }

    /** A small stack of its own (not compared), for what the library refuses. */
    private static Stack smallStack(final String name) {
        return new Stack(new App(), name, StackProps.builder()
            .env(Environment.builder().account(ACCOUNT).region("eu-west-1").build())
            .build());
    }

    private static Role lambdaRole(final Stack stack) {
        return Role.Builder.create(stack, "Role").assumedBy(new ServicePrincipal("lambda.amazonaws.com")).build();
    }

    // --- the checks ----------------------------------------------------------------------------

    @Test
    void synthesizesEveryStack() {
        final Set<String> names = assembly.getStacks().stream()
            .map(s -> s.getStackName()).collect(Collectors.toSet());
        assertEquals(Set.of("ConsumerKeys", "ConsumerKeysDr", "ConsumerWorkload", "ConsumerPartner", "ConsumerStorage",
            "ConsumerDatabasesDr", "ConsumerDatabases", "ConsumerSnapshotsDr", "ConsumerAudit", "ConsumerShareSource",
            "ConsumerShareTarget", "ConsumerShareTargetDr"), names);
        assertEquals("us-east-1", assembly.getStackByName("ConsumerShareTargetDr").getEnvironment().getRegion());
        assertEquals(PARTNER, assembly.getStackByName("ConsumerShareTarget").getEnvironment().getAccount());
        assertEquals("us-east-1", assembly.getStackByName("ConsumerDatabasesDr").getEnvironment().getRegion());
        assertEquals("us-east-1", assembly.getStackByName("ConsumerSnapshotsDr").getEnvironment().getRegion());
        // the Redshift cluster names the copy grant of the DR Region: that stack is deployed first
        assertTrue(assembly.getStackByName("ConsumerDatabases").getDependencies().stream()
            .anyMatch(d -> "ConsumerDatabasesDr".equals(d.getId())), "ConsumerDatabases depends on ConsumerDatabasesDr");
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
        // an ARN pattern names the account root, narrowed to the matching principals of that account
        assertEquals(Map.of("AWS", accountRoot(ACCOUNT)), st.get("Principal"));
        assertEquals("kms:Decrypt", st.get("Action"));
        final Map<String, Object> condition = map(st.get("Condition"));
        assertEquals(Set.of("ArnLike", "StringEquals", "StringLike"), condition.keySet());
        assertEquals(Map.of("aws:PrincipalArn", "arn:aws:iam::" + ACCOUNT + ":role/analytics/*"), condition.get("ArnLike"));
        assertEquals(Map.of(
            "aws:PrincipalAccount", ACCOUNT,
            "aws:PrincipalTag/team", "analytics",
            "kms:CallerAccount", ACCOUNT,
            "kms:ViaService", "s3.eu-west-1.amazonaws.com"), condition.get("StringEquals"));
        assertEquals("arn:aws:s3:::consumer-data/*", map(condition.get("StringLike")).get("kms:EncryptionContext:aws:s3:arn"));
    }

    @Test
    void grantEncryptWritesOutTheAwsCdkLibContract() {
        final Map<String, Object> ingest = getAtt(logicalId("ConsumerKeys", "IngestRole", "AWS::IAM::Role"));
        final List<Map<String, Object>> mine = keyPolicy("ConsumerKeys", "DataKey", "AWS::KMS::Key").stream()
            .filter(s -> Map.of("AWS", ingest).equals(s.get("Principal"))).collect(Collectors.toList());
        assertEquals(1, mine.size(), "one statement for the ingest role: " + mine);
        assertEquals(ENCRYPT_CONTRACT, mine.get(0).get("Action"));
        assertFalse(mine.get(0).containsKey("Condition"), "no condition: " + mine);
        final Map<String, Object> policy = map(props("ConsumerKeys", "IngestRole", "AWS::IAM::Policy").get("PolicyDocument"));
        assertEquals(List.of(Map.of(
            "Action", ENCRYPT_CONTRACT,
            "Effect", "Allow",
            "Resource", getAtt(logicalId("ConsumerKeys", "DataKey", "AWS::KMS::Key")))), policy.get("Statement"));
    }

    @Test
    void rawGrantWritesWildcardsOut() {
        final Map<String, Object> batch = getAtt(logicalId("ConsumerKeys", "BatchRole", "AWS::IAM::Role"));
        final List<Object> unconditioned = keyPolicy("ConsumerKeys", "DataKey", "AWS::KMS::Key").stream()
            .filter(s -> Map.of("AWS", batch).equals(s.get("Principal")) && !s.containsKey("Condition"))
            .map(s -> s.get("Action")).collect(Collectors.toList());
        assertEquals(List.of(List.of("kms:Decrypt", "kms:Encrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo")), unconditioned);
        final Map<String, Object> policy = map(props("ConsumerKeys", "BatchRole", "AWS::IAM::Policy").get("PolicyDocument"));
        assertTrue(list(policy.get("Statement")).contains(Map.of(
            "Action", List.of("kms:ReEncryptFrom", "kms:ReEncryptTo"),
            "Effect", "Allow",
            "Resource", getAtt(logicalId("ConsumerKeys", "DataKey", "AWS::KMS::Key")))), "the IAM half: " + policy);
        // no KMS wildcard anywhere in the app: key policies and IAM policies alike
        for (final String stack : STACKS) {
            for (final Map.Entry<String, Object> e : resources(stack).entrySet()) {
                for (final Map<String, Object> st : statementsOf(map(e.getValue()))) {
                    for (final Object action : list(st.get("Action"))) {
                        final String a = String.valueOf(action);
                        assertFalse(a.startsWith("kms:") && a.contains("*"), stack + "/" + e.getKey() + ": " + st);
                    }
                }
            }
        }
    }

    @Test
    void deploymentRoleUsesKeysThroughAwsServicesOnly() {
        int keys = 0;
        for (final String stack : STACKS) {
            final String role = deploymentRole("ConsumerKeysDr".equals(stack) ? "us-east-1" : "eu-west-1");
            for (final Map.Entry<String, Object> e : resources(stack).entrySet()) {
                final Map<String, Object> resource = map(e.getValue());
                if (!"AWS::KMS::Key".equals(resource.get("Type")) && !"AWS::KMS::ReplicaKey".equals(resource.get("Type"))) {
                    continue;
                }
                keys++;
                final String where = stack + "/" + e.getKey();
                final Map<String, Map<String, Object>> named = new java.util.HashMap<>();
                for (final Map<String, Object> st : statementsOf(resource)) {
                    if (principals(st, "AWS").contains(role)) {
                        named.put((String) st.get("Sid"), st);
                    }
                }
                assertTrue(named.containsKey("Administer"), where);
                for (final Map.Entry<String, Map<String, Object>> n : named.entrySet()) {
                    final Map<String, Object> st = n.getValue();
                    if ("Administer".equals(n.getKey())) {
                        for (final Object action : list(st.get("Action"))) {
                            assertFalse(DEPLOY_THROUGH_SERVICES.contains(action) && !"kms:DescribeKey".equals(action),
                                where + ": administration only, got " + action);
                        }
                        continue;
                    }
                    final Map<String, Object> condition = map(st.get("Condition"));
                    assertEquals(Map.of("kms:ViaService", "false"), condition.get("Null"), where + ": " + st);
                    assertEquals(Map.of("kms:CallerAccount", ACCOUNT), condition.get("StringEquals"), where + ": " + st);
                }
                final Map<String, Object> p = map(resource.get("Properties"));
                if (p.get("KeySpec") != null && !"SYMMETRIC_DEFAULT".equals(p.get("KeySpec"))) {
                    continue;
                }
                // symmetric keys: what AWS services need to create the encrypted resources of a deployment
                assertEquals(Set.of("Administer", "DeployEncryptedResources", "DeployEncryptedResourcesGrants"), named.keySet(), where);
                assertEquals(DEPLOY_THROUGH_SERVICES, named.get("DeployEncryptedResources").get("Action"), where);
                final Map<String, Object> grants = named.get("DeployEncryptedResourcesGrants");
                assertEquals("kms:CreateGrant", grants.get("Action"), where);
                assertEquals(Map.of(
                    "Bool", Map.of("kms:GrantIsForAWSResource", "true"),
                    "Null", Map.of("kms:ViaService", "false"),
                    "StringEquals", Map.of("kms:CallerAccount", ACCOUNT)), grants.get("Condition"), where);
            }
        }
        assertEquals(7, keys, "keys and replicas of the app");
        // the replica's deployment role only replicates the primary
        final List<Object> replicate = keyPolicy("ConsumerKeys", "DataKey", "AWS::KMS::Key").stream()
            .filter(s -> principals(s, "AWS").contains(deploymentRole("us-east-1")))
            .map(s -> List.of(s.get("Sid"), s.get("Action"), String.valueOf(s.get("Condition"))))
            .collect(Collectors.toList());
        assertEquals(List.of(List.of("Replicate", List.of("kms:DescribeKey", "kms:ReplicateKey"), "null")), replicate);
    }

    @Test
    void cloudTrailForTheKeyAccountAndTheTrailAccount() {
        final Map<String, Map<String, Object>> bySid = new java.util.HashMap<>();
        keyPolicy("ConsumerKeys", "DataKey", "AWS::KMS::Key").stream()
            .filter(s -> principals(s, "Service").equals(List.of("cloudtrail.amazonaws.com")))
            .forEach(s -> bySid.put((String) s.get("Sid"), s));
        assertEquals(Set.of("CloudTrailEncryptLogs", "CloudTrailDescribeKey", "CloudTrailEncryptLogs2", "CloudTrailDescribeKey2"),
            bySid.keySet());
        for (final List<String> pair : List.of(List.of("", ACCOUNT), List.of("2", PARTNER))) {
            final String suffix = pair.get(0);
            final String account = pair.get(1);
            final String trails = "arn:aws:cloudtrail:eu-west-1:" + account + ":trail/*";
            final String anyRegion = "arn:aws:cloudtrail:*:" + account + ":trail/*";
            final Map<String, Object> encrypt = bySid.get("CloudTrailEncryptLogs" + suffix);
            assertEquals(List.of("kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"), encrypt.get("Action"));
            assertEquals(Map.of(
                "ArnLike", Map.of("aws:SourceArn", trails),
                "StringLike", Map.of("kms:EncryptionContext:aws:cloudtrail:arn", anyRegion)), encrypt.get("Condition"));
            final Map<String, Object> describe = bySid.get("CloudTrailDescribeKey" + suffix);
            assertEquals("kms:DescribeKey", describe.get("Action"));
            assertEquals(Map.of("ArnLike", Map.of("aws:SourceArn", trails)), describe.get("Condition"));
        }
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
        // allowEbsForAccount() and EbsEncryptionByDefault both ask for it: written once, warned once
        assertEquals(Set.of("EbsByDefaultAccountThroughEc2", "EbsByDefaultAccountGrantsThroughEc2"),
            keyPolicy(STORAGE, "EbsKey", "AWS::KMS::Key").stream().map(s -> String.valueOf(s.get("Sid")))
                .filter(sid -> sid.startsWith("EbsByDefault")).collect(Collectors.toSet()));
        assertEquals(2, keyPolicy(STORAGE, "EbsKey", "AWS::KMS::Key").stream()
            .filter(s -> String.valueOf(s.get("Sid")).startsWith("EbsByDefault")).count());
        final List<String> warnings = assembly.getStackByName(STORAGE).findMetadataByType("aws:cdk:warning").stream()
            .filter(m -> ("/" + STORAGE + "/EbsKey").equals(m.getPath()))
            .map(m -> String.valueOf(m.getData())).collect(Collectors.toList());
        assertEquals(1, warnings.size(), "one warning on the EBS key: " + warnings);
        assertTrue(warnings.get(0).contains("cdk-kms-patterns:ebsDefaultAccountAccess"), warnings.get(0));
    }

    @Test
    void theWorkerUsesKeysOnlyThroughTheirServices() {
        final String workerArnPart = "role/" + STORAGE + "-StorageWorker-";
        final Set<Object> onDataKey = keyPolicy("ConsumerKeys", "DataKey", "AWS::KMS::Key").stream()
            .filter(s -> String.valueOf(s.get("Condition")).contains(workerArnPart))
            .map(ConsumerAppTest::viaService)
            .collect(Collectors.toSet());
        assertEquals(Set.of("s3.eu-west-1.amazonaws.com", "ssm.eu-west-1.amazonaws.com", "sqs.eu-west-1.amazonaws.com"), onDataKey);
        // the queue's grantSendMessages: aws-cdk-lib's grantEncryptDecrypt contract, through SQS only
        final List<Object> viaSqs = keyPolicy("ConsumerKeys", "DataKey", "AWS::KMS::Key").stream()
            .filter(s -> String.valueOf(s.get("Condition")).contains(workerArnPart))
            .filter(s -> "sqs.eu-west-1.amazonaws.com".equals(viaService(s)))
            .map(s -> s.get("Action")).collect(Collectors.toList());
        final List<String> encryptDecrypt = new ArrayList<>(ENCRYPT_CONTRACT);
        encryptDecrypt.add("kms:Decrypt");
        java.util.Collections.sort(encryptDecrypt);
        assertEquals(List.of(encryptDecrypt), viaSqs);

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

    // --- what the library refuses, through the binding (small stacks of their own, not compared) --

    // --- databases (ConsumerDatabases, ConsumerDatabasesDr) -------------------------------------

    private static final String DATABASES = "ConsumerDatabases";

    private static Map<String, Map<String, Object>> bySid(final List<Map<String, Object>> statements) {
        final Map<String, Map<String, Object>> result = new java.util.HashMap<>();
        statements.forEach(s -> result.put(String.valueOf(s.get("Sid")), s));
        return result;
    }

    private static List<Map<String, Object>> ofType(final String stack, final String type) {
        return resources(stack).values().stream().map(ConsumerAppTest::map)
            .filter(r -> type.equals(r.get("Type"))).map(r -> map(r.get("Properties"))).collect(Collectors.toList());
    }

    private static int number(final Object value) {
        return value instanceof Number ? ((Number) value).intValue() : Integer.parseInt(String.valueOf(value));
    }

    @Test
    void rdsInstanceAndAuroraClusterKeepEverythingUnderTheDbKey() {
        final Map<String, Object> dbKey = getAtt(logicalId(DATABASES, "DbKey", "AWS::KMS::Key"));
        final Map<String, Object> instance = props(DATABASES, "OrdersDb", "AWS::RDS::DBInstance");
        assertEquals("postgres", instance.get("Engine"));
        assertEquals(5433, number(instance.get("Port")));
        assertEquals(true, instance.get("StorageEncrypted"));
        assertEquals(dbKey, instance.get("KmsKeyId"));
        assertEquals(dbKey, instance.get("PerformanceInsightsKMSKeyId"));
        assertEquals(Map.of("KmsKeyId", dbKey), instance.get("MasterUserSecret"));
        assertEquals(true, instance.get("ManageMasterUserPassword"));
        assertEquals(List.of("postgresql"), instance.get("EnableCloudwatchLogsExports"));

        final Map<String, Object> cluster = props(DATABASES, "Ledger", "AWS::RDS::DBCluster");
        assertEquals("aurora-postgresql", cluster.get("Engine"));
        assertEquals(true, cluster.get("StorageEncrypted"));
        assertEquals(dbKey, cluster.get("KmsKeyId"));
        assertEquals(dbKey, cluster.get("PerformanceInsightsKmsKeyId"));
        assertEquals(Map.of("KmsKeyId", dbKey), cluster.get("MasterUserSecret"));

        final List<Map<String, Object>> groups = ofType(DATABASES, "AWS::Logs::LogGroup");
        // the databases' five exported logs, and the Region copy schedule's workflow log (under the same key)
        assertEquals(6, groups.size(), "the log groups: " + groups);
        assertEquals(5, groups.stream().map(g -> String.valueOf(g.get("LogGroupName")))
            .filter(n -> n.startsWith("/aws/rds/") || n.startsWith("/aws/redshift/")).count(), "the exported log groups: " + groups);
        assertEquals(1, groups.stream().map(g -> String.valueOf(g.get("LogGroupName")))
            .filter(n -> n.startsWith("/aws/vendedlogs/states/ConsumerDatabases-NewestToDr-")).count(), "the schedule's log group: " + groups);
        for (final Map<String, Object> group : groups) {
            assertEquals(dbKey, group.get("KmsKeyId"), String.valueOf(group));
            assertEquals(365, number(group.get("RetentionInDays")));
        }
        final List<String> warnings = assembly.getStackByName(DATABASES).findMetadataByType("aws:cdk:warning").stream()
            .filter(m -> ("/" + DATABASES + "/OrdersDb").equals(m.getPath()))
            .map(m -> String.valueOf(m.getData())).collect(Collectors.toList());
        assertEquals(1, warnings.size(), "warnings: " + warnings);
        assertTrue(warnings.get(0).contains("cdk-kms-patterns:databaseLogExportsReduced"), warnings.get(0));
    }

    @Test
    void redshiftClusterCopiesSnapshotsUnderTheDrGrant() {
        final Map<String, Object> dbKey = getAtt(logicalId(DATABASES, "DbKey", "AWS::KMS::Key"));
        final Map<String, Object> cluster = props(DATABASES, "Warehouse", "AWS::Redshift::Cluster");
        assertEquals(true, cluster.get("Encrypted"));
        assertEquals(dbKey, cluster.get("KmsKeyId"));
        assertEquals(dbKey, cluster.get("MasterPasswordSecretKmsKeyId"));
        assertEquals(4, number(cluster.get("NumberOfNodes")));
        assertEquals(5440, number(cluster.get("Port")));
        assertEquals("us-east-1", cluster.get("DestinationRegion"));
        assertEquals("consumer-warehouse-dr", cluster.get("SnapshotCopyGrantName"));
        assertEquals(14, number(cluster.get("SnapshotCopyRetentionPeriod")));

        final String copyKey = logicalId("ConsumerDatabasesDr", "CopyKey", "AWS::KMS::Key");
        final Map<String, Object> grant = props("ConsumerDatabasesDr", "CopyGrant", "Custom::RedshiftSnapshotCopyGrant");
        assertTrue(String.valueOf(grant.get("Create")).contains("consumer-warehouse-dr"), String.valueOf(grant.get("Create")));
        assertTrue(String.valueOf(grant.get("Create")).contains(copyKey), String.valueOf(grant.get("Create")));
        final List<Map<String, Object>> handler = keyPolicy("ConsumerDatabasesDr", "CopyKey", "AWS::KMS::Key").stream()
            .filter(s -> String.valueOf(s.get("Principal")).contains("AWS679f53fac")).collect(Collectors.toList());
        assertEquals(2, handler.size(), "the grant handler's statements: " + handler);
        for (final Map<String, Object> st : handler) {
            assertEquals("redshift.us-east-1.amazonaws.com", viaService(st), String.valueOf(st));
        }
    }

    @Test
    void databaseGrantsUseTheKeyThroughTheirServiceOnly() {
        final Map<String, Map<String, Object>> sids = bySid(keyPolicy(DATABASES, "DbKey", "AWS::KMS::Key"));
        final Map<String, Object> secret = sids.get("DecryptViaSecretsmanager");
        assertEquals(Map.of("AWS", getAtt(logicalId(DATABASES, "DbaRole", "AWS::IAM::Role"))), secret.get("Principal"));
        assertEquals("kms:Decrypt", secret.get("Action"));
        assertEquals("secretsmanager.eu-west-1.amazonaws.com", viaService(secret));
        final Map<String, Object> pi = sids.get("ReadPerformanceInsights");
        assertEquals(Map.of("AWS", getAtt(logicalId(DATABASES, "AnalystRole", "AWS::IAM::Role"))), pi.get("Principal"));
        assertEquals(Map.of(
            "kms:CallerAccount", ACCOUNT,
            "kms:EncryptionContext:aws:pi:service", "rds",
            "kms:EncryptionContext:service", "pi",
            "kms:ViaService", "rds.eu-west-1.amazonaws.com"), map(map(pi.get("Condition")).get("StringEquals")));
        final long logs = sids.values().stream()
            .filter(s -> principals(s, "Service").equals(List.of("logs.eu-west-1.amazonaws.com"))).count();
        assertEquals(6, logs, "one CloudWatch Logs statement per log group (5 exported, the schedule's workflow log)");

        final Map<String, Object> connect = map(list(map(props(DATABASES, "DbAppRoleDefaultPolicy", "AWS::IAM::Policy")
            .get("PolicyDocument")).get("Statement")).get(0));
        assertEquals("rds-db:connect", connect.get("Action"));
        assertTrue(String.valueOf(connect.get("Resource")).contains("/orders_app"), String.valueOf(connect.get("Resource")));
    }

    @Test
    void snapshotRegionCopyAndForwarder() {
        final String dr = "ConsumerSnapshotsDr";
        final Map<String, Object> snapshotKey = getAtt(logicalId(dr, "SnapshotKey", "AWS::KMS::Key"));
        final String machineId = workflowId(dr, "FromPrimary");
        final Map<String, Object> machine = workflow(dr, "FromPrimary");
        assertEquals("consumer-dr-snapshot-region-copy", machine.get("StateMachineName"));
        assertEquals(snapshotKey, map(machine.get("EncryptionConfiguration")).get("KmsKeyId"));
        assertEquals("CUSTOMER_MANAGED_KMS_KEY", map(machine.get("EncryptionConfiguration")).get("Type"));
        final String definition = String.valueOf(machine.get("DefinitionString"));
        assertTrue(definition.contains("\"TimeoutSeconds\":46800"), "copyTimeout 12 h, plus one hour");
        assertTrue(definition.contains("consumer-dr-db-") && definition.contains("-14"), "keepCopies 14, copyNamePrefix");
        assertEquals(snapshotKey, props(dr, "FromPrimaryFailures", "AWS::SNS::Topic").get("KmsMasterKeyId"));
        assertEquals(snapshotKey, props(dr, "FromPrimaryLogs", "AWS::Logs::LogGroup").get("KmsKeyId"));
        // named after the state machine; CloudWatch Logs may use the key for that log group only
        final String logGroup = "/aws/vendedlogs/states/consumer-dr-snapshot-region-copy";
        assertEquals(logGroup, props(dr, "FromPrimaryLogs", "AWS::Logs::LogGroup").get("LogGroupName"));
        assertEquals(List.of("arn:aws:logs:us-east-1:" + ACCOUNT + ":log-group:" + logGroup),
            keyPolicy(dr, "SnapshotKey", "AWS::KMS::Key").stream().filter(st -> "CloudWatchLogs".equals(st.get("Sid")))
                .map(st -> map(map(st.get("Condition")).get("ArnLike")).get("kms:EncryptionContext:aws:logs:arn"))
                .collect(Collectors.toList()));
        assertEquals(Set.of(
            "/cdk-kms-patterns/snapshot-region-copy/consumer-dr/EBS_SNAPSHOT",
            "/cdk-kms-patterns/snapshot-region-copy/consumer-dr/RDS_DB_SNAPSHOT"),
            ofType(dr, "AWS::SSM::Parameter").stream().map(p -> p.get("Name")).collect(Collectors.toSet()));
        assertEquals(List.of(Map.of("Action", "states:StartExecution", "Effect", "Allow", "Resource", Map.of("Ref", machineId))),
            map(props(dr, "OnCallDefaultPolicy", "AWS::IAM::Policy").get("PolicyDocument")).get("Statement"));
        final Map<String, Object> role = Map.of("AWS", getAtt(logicalId(dr, "FromPrimaryRole", "AWS::IAM::Role")));
        final Object roleArn = role.get("AWS");
        final Set<Object> via = keyPolicy(dr, "SnapshotKey", "AWS::KMS::Key").stream()
            .filter(s -> map(s.get("Principal")).containsKey("AWS") && list(map(s.get("Principal")).get("AWS")).contains(roleArn)
                && String.valueOf(s.get("Condition")).contains("kms:ViaService"))
            .flatMap(s -> list(viaService(s)).stream()).collect(Collectors.toSet());
        // EC2 and RDS copy, SNS for the failure topic, DynamoDB for the completion-event tokens
        assertEquals(Set.of("ec2.us-east-1.amazonaws.com", "rds.us-east-1.amazonaws.com", "sns.us-east-1.amazonaws.com",
            "dynamodb.us-east-1.amazonaws.com"), via);

        final List<Map<String, Object>> rules = resources(DATABASES).entrySet().stream()
            .filter(e -> e.getKey().startsWith("SnapshotsToDr") && "AWS::Events::Rule".equals(map(e.getValue()).get("Type")))
            .map(e -> map(map(e.getValue()).get("Properties"))).collect(Collectors.toList());
        assertEquals(2, rules.size());
        for (final Map<String, Object> rule : rules) {
            assertTrue(String.valueOf(rule.get("Targets")).contains(":events:us-east-1:111111111111:event-bus/default"), String.valueOf(rule));
        }
    }

    // --- key audit (ConsumerAudit) ----------------------------------------------------------------

    @Test
    void regionCopyScheduleRequestsTheNewestSnapshotAndTheDrCopyListens() {
        final Map<String, Object> machine = props(DATABASES, "NewestToDr", "AWS::StepFunctions::StateMachine");
        assertEquals("EXPRESS", machine.get("StateMachineType"));
        final String definition = String.valueOf(machine.get("DefinitionString"));
        assertTrue(definition.contains("consumer-orders") && definition.contains("vol-0123456789abcdef0"), "the listed sources");
        assertTrue(definition.contains("aws-sdk:eventbridge:putEvents"), "requests by PutEvents");
        assertEquals("rate(6 hours)", props(DATABASES, "NewestToDrSchedule", "AWS::Events::Rule").get("ScheduleExpression"));
        assertEquals(List.of("Snapshot Region Copy Requested"),
            map(props(DATABASES, "NewestToDrForward", "AWS::Events::Rule").get("EventPattern")).get("detail-type"));
        final Map<String, Object> listen = map(props("ConsumerSnapshotsDr", "FromPrimaryScheduleRequests", "AWS::Events::Rule").get("EventPattern"));
        assertEquals(List.of("cdk-kms-patterns.snapshot-region-copy"), listen.get("source"));
        assertEquals(List.of(ConsumerApp.PRIMARY_REGION), listen.get("region"));
        assertEquals(List.of(ACCOUNT), listen.get("account"));
    }

    @Test
    void redshiftCopiesAreSharedInTheDrRegionUnderTheCopyGrantKey() {
        final String dr = "ConsumerDatabasesDr";
        final Map<String, Map<String, Object>> sids = bySid(keyPolicy(dr, "CopyKey", "AWS::KMS::Key"));
        for (final String sid : List.of("SnapshotShareThroughREDSHIFT", "SnapshotShareGrantsThroughREDSHIFT")) {
            assertEquals(Map.of("AWS", accountRoot(PARTNER)), sids.get(sid).get("Principal"), sid);
            assertEquals(Map.of("kms:CallerAccount", PARTNER, "kms:ViaService", "redshift.us-east-1.amazonaws.com"),
                map(map(sids.get(sid).get("Condition")).get("StringEquals")), sid);
        }
        final List<String> definitions = resources(dr).entrySet().stream()
            .filter(e -> e.getKey().startsWith("ShareWarehouseCopies") && "AWS::StepFunctions::StateMachine".equals(map(e.getValue()).get("Type")))
            .map(e -> String.valueOf(map(map(e.getValue()).get("Properties")).get("DefinitionString")))
            .collect(Collectors.toList());
        assertTrue(definitions.stream().anyMatch(d -> d.contains("aws-sdk:redshift:copyClusterSnapshot") && d.contains("\"ManualSnapshotRetentionPeriod\":10")),
            "automated copies made manual, kept 10 days");
        assertTrue(definitions.stream().noneMatch(d -> d.contains("deleteClusterSnapshot")), "nothing deleted");
        assertTrue(definitions.stream().anyMatch(d -> d.contains("aws-sdk:sfn:startExecution") && d.contains("consumer-warehouse")), "the sweep");
        assertEquals("rate(2 hours)", props(dr, "ShareWarehouseCopiesCopySweepSchedule", "AWS::Events::Rule").get("ScheduleExpression"));
        assertTrue(resources("ConsumerShareTargetDr").entrySet().stream()
            .filter(e -> e.getKey().startsWith("ReceiveWarehouseCopies") && "AWS::StepFunctions::StateMachine".equals(map(e.getValue()).get("Type")))
            .map(e -> String.valueOf(map(map(e.getValue()).get("Properties")).get("DefinitionString")))
            .anyMatch(d -> d.contains("aws-sdk:redshift:restoreFromClusterSnapshot") && d.contains("analytics-dr")), "the partner restores in us-east-1");
    }

    private static final String AUDIT = "ConsumerAudit";

    @Test
    void keyAuditTrailIsEncryptedAndReadableByItsReadersOnly() {
        final Map<String, Object> auditKey = getAtt(logicalId(AUDIT, "AuditKey", "AWS::KMS::Key"));
        final Map<String, Object> trail = props(AUDIT, "Trail", "AWS::CloudTrail::Trail");
        assertEquals("consumer-key-audit", trail.get("TrailName"));
        assertEquals(auditKey, trail.get("KMSKeyId"));
        assertEquals(true, trail.get("IsMultiRegionTrail"));
        assertEquals(true, trail.get("EnableLogFileValidation"));
        assertEquals(Map.of(
            "Name", "S3 objects",
            "FieldSelectors", List.of(
                Map.of("Field", "eventCategory", "Equals", List.of("Data")),
                Map.of("Field", "resources.type", "Equals", List.of("AWS::S3::Object")))),
            list(trail.get("AdvancedEventSelectors")).get(1));
        final Map<String, Object> rule = map(list(map(props(AUDIT, "TrailBucket", "AWS::S3::Bucket").get("BucketEncryption"))
            .get("ServerSideEncryptionConfiguration")).get(0));
        assertEquals(Map.of("KMSMasterKeyID", auditKey, "SSEAlgorithm", "aws:kms"), rule.get("ServerSideEncryptionByDefault"));
        assertEquals(auditKey, props(AUDIT, "TrailLogGroup", "AWS::Logs::LogGroup").get("KmsKeyId"));

        final Map<String, Map<String, Object>> sids = bySid(keyPolicy(AUDIT, "AuditKey", "AWS::KMS::Key"));
        final Map<String, Object> readers = sids.get("CloudTrailLogReaders");
        assertEquals(Set.of(getAtt(logicalId(AUDIT, "Auditors", "AWS::IAM::Role")), getAtt(logicalId(AUDIT, "Investigator", "AWS::IAM::Role"))),
            Set.copyOf(principals(readers, "AWS")), "logReaders and grantReadLogFiles");
        assertEquals("kms:Decrypt", readers.get("Action"));
        assertEquals("s3.eu-west-1.amazonaws.com", viaService(readers));
        assertTrue(String.valueOf(sids.get("CloudTrailEncryptLogs").get("Condition")).contains("trail/consumer-key-audit"));
    }

    @Test
    void keyAlertsWatchTheDataKeyAndPublishToAnEncryptedTopic() {
        final Map<String, Object> alertKey = getAtt(logicalId(AUDIT, "AlertKey", "AWS::KMS::Key"));
        final String topic = logicalId(AUDIT, "AlertsTopic", "AWS::SNS::Topic");
        assertEquals(alertKey, props(AUDIT, "AlertsTopic", "AWS::SNS::Topic").get("KmsMasterKeyId"));
        final List<String> protocols = ofType(AUDIT, "AWS::SNS::Subscription").stream()
            .filter(p -> Map.of("Ref", topic).equals(p.get("TopicArn")))
            .map(p -> String.valueOf(p.get("Protocol"))).sorted().collect(Collectors.toList());
        assertEquals(List.of("email", "email", "sqs"), protocols);
        assertEquals(Set.of("security@example.com", "oncall@example.com"), ofType(AUDIT, "AWS::SNS::Subscription").stream()
            .filter(p -> "email".equals(p.get("Protocol"))).map(p -> p.get("Endpoint")).collect(Collectors.toSet()));
        final List<Map<String, Object>> rules = ofType(AUDIT, "AWS::Events::Rule");
        assertEquals(7, rules.size());
        final String patterns = String.valueOf(rules.stream().map(r -> r.get("EventPattern")).collect(Collectors.toList()));
        assertTrue(patterns.contains("ConsumerKeys:ExportsOutputFnGetAttDataKey"), "the data key is watched");
        assertTrue(patterns.contains("alias/consumer/data") && patterns.contains("alias/consumer/audit"), "the aliases are watched");
        assertEquals(2, ofType(AUDIT, "AWS::CloudWatch::Alarm").size());

        final Map<String, Map<String, Object>> sids = bySid(keyPolicy(AUDIT, "AlertKey", "AWS::KMS::Key"));
        assertEquals(List.of("events.amazonaws.com"), principals(sids.get("EventBridgeToEncryptedTopic"), "Service"));
        assertEquals(List.of("cloudwatch.amazonaws.com"), principals(sids.get("CloudWatchAlarmsToEncryptedTopic"), "Service"));
    }

    // --- snapshot sharing (ConsumerShareSource, ConsumerShareTarget) -----------------------------

    private static final String SHARE_SOURCE = "ConsumerShareSource";
    private static final String SHARE_TARGET = "ConsumerShareTarget";

    @Test
    void shareSourceOpensTheShareableKeyToThePartnerThroughEc2Only() {
        final Map<String, Object> shareKey = getAtt(logicalId(SHARE_SOURCE, "ShareKey", "AWS::KMS::Key"));
        final Map<String, Map<String, Object>> sids = bySid(keyPolicy(SHARE_SOURCE, "ShareKey", "AWS::KMS::Key"));
        for (final String sid : List.of("SnapshotShareThroughEC2", "SnapshotShareGrantsThroughEC2")) {
            final Map<String, Object> st = sids.get(sid);
            assertEquals(Map.of("AWS", accountRoot(PARTNER)), st.get("Principal"), sid);
            assertEquals(Map.of("kms:CallerAccount", PARTNER, "kms:ViaService", "ec2.eu-west-1.amazonaws.com"),
                map(map(st.get("Condition")).get("StringEquals")), sid);
        }
        assertEquals("kms:CreateGrant", sids.get("SnapshotShareGrantsThroughEC2").get("Action"));
        assertEquals(Map.of("kms:GrantIsForAWSResource", "true"), map(sids.get("SnapshotShareGrantsThroughEC2").get("Condition")).get("Bool"));
        assertEquals(Set.of("SnapshotShareThroughEC2", "SnapshotShareGrantsThroughEC2"), sids.entrySet().stream()
            .filter(e -> principals(e.getValue(), "AWS").contains(accountRoot(PARTNER))).map(Map.Entry::getKey).collect(Collectors.toSet()));

        assertEquals(shareKey, props(SHARE_SOURCE, "ShareVolumesLogs", "AWS::Logs::LogGroup").get("KmsKeyId"));
        assertEquals(shareKey, props(SHARE_SOURCE, "ShareVolumesFailures", "AWS::SNS::Topic").get("KmsMasterKeyId"));
        assertEquals("cdk-kms-patterns-snapshot-share-ebs", props(SHARE_SOURCE, "ShareVolumesBus", "AWS::Events::EventBus").get("Name"));
        assertEquals(Map.of("AWS", joinedAccountRoot(PARTNER)),
            map(props(SHARE_SOURCE, "ShareVolumesBus", "AWS::Events::EventBusPolicy").get("Statement")).get("Principal"));
        assertTrue(String.valueOf(props(SHARE_SOURCE, "ShareVolumesToTarget", "AWS::Events::Rule").get("Targets"))
            .contains(":events:eu-west-1:222222222222:event-bus/cdk-kms-patterns-snapshot-share-ebs"));
        assertTrue(String.valueOf(props(SHARE_SOURCE, "ShareVolumesRoleDefaultPolicy", "AWS::IAM::Policy"))
            .contains("volume/vol-0123456789abcdef0"), "createFrom: this volume only");
        assertTrue(String.valueOf(workflow(SHARE_SOURCE, "ShareVolumes").get("DefinitionString"))
            .contains("\"TimeoutSeconds\":43200"), "confirmationTimeout 12 h");
        // grantStartExecution: the share workflow only, not the confirmation handler nor the callback
        final String shareMachineId = workflowId(SHARE_SOURCE, "ShareVolumes");
        assertEquals(List.of(Map.of("Action", "states:StartExecution", "Effect", "Allow", "Resource", Map.of("Ref", shareMachineId))),
            map(props(SHARE_SOURCE, "ShareOperatorDefaultPolicy", "AWS::IAM::Policy").get("PolicyDocument")).get("Statement"));
        // the workflows' log group is named; CloudWatch Logs may use the key for that log group only
        final String logGroup = String.valueOf(props(SHARE_SOURCE, "ShareVolumesLogs", "AWS::Logs::LogGroup").get("LogGroupName"));
        assertTrue(logGroup.matches("/aws/vendedlogs/states/ConsumerShareSource-ShareVolumes-[0-9A-F]{8}"), logGroup);
        assertEquals("arn:aws:logs:eu-west-1:" + ACCOUNT + ":log-group:" + logGroup,
            map(map(sids.get("CloudWatchLogs").get("Condition")).get("ArnLike")).get("kms:EncryptionContext:aws:logs:arn"));
    }

    @Test
    void shareTargetCopiesUnderItsOwnKeyAndAdmitsTheSourceOnly() {
        final Map<String, Object> received = getAtt(logicalId(SHARE_TARGET, "ReceivedKey", "AWS::KMS::Key"));
        assertEquals(received, props(SHARE_TARGET, "ReceiveVolumesLogs", "AWS::Logs::LogGroup").get("KmsKeyId"));
        assertEquals(received, props(SHARE_TARGET, "ReceiveVolumesFailures", "AWS::SNS::Topic").get("KmsMasterKeyId"));
        assertEquals(Map.of("AWS", joinedAccountRoot(ACCOUNT)),
            map(props(SHARE_TARGET, "ReceiveVolumesBus", "AWS::Events::EventBusPolicy").get("Statement")).get("Principal"));
        final Map<String, Object> pattern = map(props(SHARE_TARGET, "ReceiveVolumesShares", "AWS::Events::Rule").get("EventPattern"));
        assertEquals(List.of(ACCOUNT), pattern.get("account"));
        assertEquals(Map.of("targetAccount", List.of(PARTNER), "snapshotType", List.of("EBS"), "sourceRegion", List.of("eu-west-1")),
            pattern.get("detail"));
        final Map<String, Object> role = Map.of("AWS", getAtt(logicalId(SHARE_TARGET, "ReceiveVolumesRole", "AWS::IAM::Role")));
        final List<Map<String, Object>> mine = keyPolicy(SHARE_TARGET, "ReceivedKey", "AWS::KMS::Key").stream()
            .filter(s -> role.equals(s.get("Principal"))).collect(Collectors.toList());
        assertFalse(mine.isEmpty());
        for (final Map<String, Object> st : mine) {
            assertEquals(Map.of("kms:CallerAccount", PARTNER, "kms:ViaService", "ec2.eu-west-1.amazonaws.com"),
                map(map(st.get("Condition")).get("StringEquals")), String.valueOf(st));
        }
        assertTrue(String.valueOf(workflow(SHARE_TARGET, "ReceiveVolumes").get("DefinitionString"))
            .contains("\"AvailabilityZone\":\"eu-west-1a\""), "restore: a volume in eu-west-1a");
    }

    @Test
    void rawGrantRefusesAdministrativeActions() {
        final Stack stack = smallStack("AdminGrant");
        final EncryptionKey key = EncryptionKey.Builder.create(stack, "Key").build();
        final Role role = lambdaRole(stack);
        final RuntimeException single = assertThrows(RuntimeException.class, () -> key.grant(role, "kms:PutKeyPolicy"));
        assertTrue(single.getMessage().contains("cannot grant kms:PutKeyPolicy on AdminGrant/Key")
            && single.getMessage().contains("administrative actions"), single.getMessage());
        final RuntimeException wildcard = assertThrows(RuntimeException.class, () -> key.grant(role, "kms:*"));
        assertTrue(wildcard.getMessage().contains("kms:ScheduleKeyDeletion")
            && wildcard.getMessage().contains("administrative actions"), wildcard.getMessage());
    }

    @Test
    void accountWideStatementsAreRefusedByDefault() {
        final Stack stack = smallStack("AccountWide");
        final EncryptionKey key = EncryptionKey.Builder.create(stack, "Key").build();
        final PolicyStatement statement = PolicyStatement.Builder.create()
            .actions(List.of("kms:Decrypt"))
            .principals(List.of(new AccountRootPrincipal()))
            .resources(List.of("*"))
            .build();
        final RuntimeException error = assertThrows(RuntimeException.class, () -> key.addToResourcePolicy(statement));
        assertTrue(error.getMessage().contains("for the whole account " + ACCOUNT)
            && error.getMessage().contains("allowAccountWideStatements: true"), error.getMessage());
    }

    @Test
    void encryptedVolumeRefusesAZoneOfAnotherRegion() {
        final Stack stack = smallStack("Volume");
        final EncryptionKey key = EncryptionKey.Builder.create(stack, "Key").build();
        final RuntimeException error = assertThrows(RuntimeException.class, () -> EncryptedVolume.Builder.create(stack, "Scratch")
            .availabilityZone("us-east-1a")
            .size(Size.gibibytes(20))
            .encryptionKey(key)
            .build());
        assertTrue(error.getMessage().contains("availabilityZone must be a zone of the stack's Region eu-west-1, got 'us-east-1a'"),
            error.getMessage());
    }

    @Test
    void keyPolicyIsAPolicyDocument() {
        final Stack stack = smallStack("Policy");
        final EncryptionKey key = EncryptionKey.Builder.create(stack, "Key").build();
        final Role role = lambdaRole(stack);
        key.grantDecrypt(role);
        final PolicyDocument document = key.getKeyPolicy();
        assertEquals(4, document.getStatementCount().intValue());
        final List<Map<String, Object>> statements = list(map(stack.resolve(document.toJSON())).get("Statement")).stream()
            .map(ConsumerAppTest::map).collect(Collectors.toList());
        assertEquals(List.of("Decrypt", "DeployEncryptedResources", "DeployEncryptedResourcesGrants", "Administer"),
            statements.stream().map(s -> s.get("Sid")).collect(Collectors.toList()));
        final String roleId = stack.getLogicalId((CfnElement) role.getNode().getDefaultChild());
        assertEquals(Map.of("AWS", getAtt(roleId)), statements.get(0).get("Principal"));
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

package io.github.cdkkmspatterns.consumer;

import java.util.List;
import java.util.Map;

import io.github.cdkkmspatterns.CiphertextValueOptions;
import io.github.cdkkmspatterns.CloudTrailAccessOptions;
import io.github.cdkkmspatterns.EbsEncryptionByDefault;
import io.github.cdkkmspatterns.EncryptedBlockDevice;
import io.github.cdkkmspatterns.EncryptedBlockDeviceOptions;
import io.github.cdkkmspatterns.EncryptedBucket;
import io.github.cdkkmspatterns.EncryptedDatabaseCluster;
import io.github.cdkkmspatterns.EncryptedDatabaseInstance;
import io.github.cdkkmspatterns.EncryptedRedshiftCluster;
import io.github.cdkkmspatterns.EncryptedSecret;
import io.github.cdkkmspatterns.EncryptedVolume;
import io.github.cdkkmspatterns.EncryptionKey;
import io.github.cdkkmspatterns.GeneratedValueOptions;
import io.github.cdkkmspatterns.IEncryptionKey;
import io.github.cdkkmspatterns.KeyAccess;
import io.github.cdkkmspatterns.KeyAlerts;
import io.github.cdkkmspatterns.KeyAuditTrail;
import io.github.cdkkmspatterns.KeyCapability;
import io.github.cdkkmspatterns.KeyService;
import io.github.cdkkmspatterns.RedshiftCopyShareOptions;
import io.github.cdkkmspatterns.RedshiftSnapshotCopyGrant;
import io.github.cdkkmspatterns.RedshiftSnapshotCopyOptions;
import io.github.cdkkmspatterns.ReplicaKey;
import io.github.cdkkmspatterns.SecureStringParameter;
import io.github.cdkkmspatterns.SecureStringValue;
import io.github.cdkkmspatterns.ShareTarget;
import io.github.cdkkmspatterns.SnapshotPollingOptions;
import io.github.cdkkmspatterns.SnapshotRegionCopy;
import io.github.cdkkmspatterns.SnapshotRegionCopyForwarder;
import io.github.cdkkmspatterns.SnapshotRegionCopySchedule;
import io.github.cdkkmspatterns.SnapshotRestoreOptions;
import io.github.cdkkmspatterns.SnapshotShareSource;
import io.github.cdkkmspatterns.SnapshotShareTarget;
import io.github.cdkkmspatterns.SnapshotType;
import software.amazon.awscdk.Acknowledgment;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Size;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Validations;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.services.cloudtrail.CfnTrail;
import software.amazon.awscdk.services.ec2.LaunchTemplate;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.ec2.SubnetConfiguration;
import software.amazon.awscdk.services.ec2.SubnetType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.KeySpec;
import software.amazon.awscdk.services.kms.KeyUsage;
import software.amazon.awscdk.services.rds.AuroraPostgresClusterEngineProps;
import software.amazon.awscdk.services.rds.AuroraPostgresEngineVersion;
import software.amazon.awscdk.services.rds.DatabaseClusterEngine;
import software.amazon.awscdk.services.rds.DatabaseInstanceEngine;
import software.amazon.awscdk.services.rds.PostgresEngineVersion;
import software.amazon.awscdk.services.rds.PostgresInstanceEngineProps;
import software.amazon.awscdk.services.sns.subscriptions.SqsSubscription;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;

/**
 * The consumer app in Java: THE SAME app as test/consumers/typescript/app.ts, built through the
 * io.github.cdkkmspatterns:cdk-kms-patterns jar. Keep the three apps (TypeScript, Python, Java) in
 * step: same construct ids, same props, same grants, in the same order.
 */
public final class ConsumerApp {
    public static final String ACCOUNT = "111111111111";
    public static final String PARTNER_ACCOUNT = "222222222222";
    public static final String PRIMARY_REGION = "eu-west-1";
    public static final String REPLICA_REGION = "us-east-1";
    public static final String SHARED_KEY_ARN =
        "arn:aws:kms:" + PRIMARY_REGION + ":" + PARTNER_ACCOUNT + ":key/1234abcd-12ab-34cd-56ef-1234567890ab";
    /** A fixed, well-formed base64 "CiphertextBlob" (not a real KMS ciphertext: nothing decrypts it at synth). */
    public static final String API_KEY_CIPHERTEXT =
        "AQICAHhjb25zdW1lci1hcHAgZml4ZWQgY2lwaGVydGV4dDogbm90IGEgcmVhbCBLTVMgYmxvYiwgbmV2ZXIgZGVjcnlwdGVkIGluIHRlc3Rz";

    private ConsumerApp() {
    }

    private static Role lambdaRole(final Stack scope, final String id) {
        return Role.Builder.create(scope, id).assumedBy(new ServicePrincipal("lambda.amazonaws.com")).build();
    }

    /** Builds every stack of the consumer app into {@code app}. */
    public static void buildConsumerApp(final App app) {
        final Environment primaryEnv = Environment.builder().account(ACCOUNT).region(PRIMARY_REGION).build();

        // --- the key stack ---------------------------------------------------------------------
        final Stack keys = new Stack(app, "ConsumerKeys", StackProps.builder().env(primaryEnv).build());
        final Role admins = Role.Builder.create(keys, "KeyAdmins").assumedBy(new AccountRootPrincipal()).build();
        final Role appRole = lambdaRole(keys, "AppRole");
        final Role batchRole = lambdaRole(keys, "BatchRole");
        final Role ingestRole = lambdaRole(keys, "IngestRole");

        final EncryptionKey dataKey = EncryptionKey.Builder.create(keys, "DataKey")
            .description("Consumer data key")
            .multiRegion(true)
            .aliases(List.of("consumer/data", "alias/consumer/data-v2"))
            .administrators(List.of(admins))
            .access(List.of(
                KeyAccess.builder()
                    .capabilities(List.of(KeyCapability.ENVELOPE, KeyCapability.DESCRIBE))
                    .principals(List.of(appRole))
                    .viaServices(List.of(KeyService.S3))
                    .build(),
                KeyAccess.builder()
                    .capabilities(List.of(KeyCapability.DECRYPT))
                    .principalArnPatterns(List.of("arn:aws:iam::" + ACCOUNT + ":role/analytics/*"))
                    .principalTags(Map.of("team", "analytics"))
                    .viaServices(List.of(KeyService.S3))
                    .encryptionContext(Map.of("aws:s3:arn", "arn:aws:s3:::consumer-data/*"))
                    .build(),
                KeyAccess.builder()
                    .capabilities(List.of(KeyCapability.DECRYPT, KeyCapability.DESCRIBE))
                    .accounts(List.of(PARTNER_ACCOUNT))
                    .viaServices(List.of(KeyService.S3, KeyService.of("elasticfilesystem")))
                    .build()))
            .build();
        dataKey.grantCapabilities(batchRole, KeyCapability.ENCRYPT, KeyCapability.DECRYPT, KeyCapability.GRANT_FOR_AWS_RESOURCE);
        // raw actions: the wildcard is written out (kms:ReEncryptFrom, kms:ReEncryptTo)
        dataKey.grant(batchRole, "kms:ReEncrypt*");
        // aws-cdk-lib's grantEncrypt contract, written out
        dataKey.grantEncrypt(ingestRole);
        dataKey.allowCloudWatchLogs();
        dataKey.allowCloudTrail();
        // the organization trail of the management account (the partner's, here) logs to this account
        dataKey.allowCloudTrail(CloudTrailAccessOptions.builder().trailAccount(PARTNER_ACCOUNT).build());
        dataKey.allowAutoScaling();

        final EncryptionKey signingKey = EncryptionKey.Builder.create(keys, "SigningKey")
            .keySpec(KeySpec.RSA_3072)
            .keyUsage(KeyUsage.SIGN_VERIFY)
            .aliases(List.of("consumer/signing"))
            .administrators(List.of(admins))
            .build();
        signingKey.grantSign(appRole);
        signingKey.grantGetPublicKey(appRole);

        final EncryptionKey tokenKey = EncryptionKey.Builder.create(keys, "TokenKey")
            .keySpec(KeySpec.ECC_NIST_P256)
            .administrators(List.of(admins))
            .build();
        tokenKey.grantVerify(batchRole);

        final EncryptionKey macKey = EncryptionKey.Builder.create(keys, "MacKey")
            .keySpec(KeySpec.HMAC_256)
            .administrators(List.of(admins))
            .build();
        macKey.grantGenerateMac(appRole);
        macKey.grantVerifyMac(batchRole);

        final IEncryptionKey shared = EncryptionKey.fromKeyArn(keys, "SharedKey", SHARED_KEY_ARN);
        shared.grantDecrypt(batchRole);
        EncryptionKey.grantGenerateRandom(appRole);

        // --- the replica, in the DR Region -----------------------------------------------------
        final Stack dr = new Stack(app, "ConsumerKeysDr", StackProps.builder()
            .env(Environment.builder().account(ACCOUNT).region(REPLICA_REGION).build())
            .crossRegionReferences(true)
            .build());
        ReplicaKey.Builder.create(dr, "DataKeyReplica")
            .primaryKey(dataKey)
            .aliases(List.of("consumer/data"))
            .build();

        // --- a workload of the same account ----------------------------------------------------
        final Stack workload = new Stack(app, "ConsumerWorkload", StackProps.builder().env(primaryEnv).build());
        dataKey.grantDecrypt(lambdaRole(workload, "ReportingRole"));

        // --- the partner's account -------------------------------------------------------------
        final Stack partner = new Stack(app, "ConsumerPartner", StackProps.builder()
            .env(Environment.builder().account(PARTNER_ACCOUNT).region(PRIMARY_REGION).build())
            .build());
        dataKey.grantDecrypt(lambdaRole(partner, "ImporterRole"));

        // --- storage and parameters of the key account -----------------------------------------
        // The worker lives with the bucket, volume and parameters it is granted (no cycle between
        // stacks); the key stack's policy names it by aws:PrincipalArn.
        final Stack storage = new Stack(app, "ConsumerStorage", StackProps.builder().env(primaryEnv).build());
        final Role worker = lambdaRole(storage, "StorageWorker");

        final EncryptedBucket orders = EncryptedBucket.Builder.create(storage, "Orders")
            .encryptionKey(dataKey)
            .build();
        orders.grantReadWrite(worker);

        // EBS gets a key of its own: EBS encryption by default opens it to the account through EC2.
        final EncryptionKey ebsKey = EncryptionKey.Builder.create(storage, "EbsKey")
            .description("Consumer EBS key")
            .aliases(List.of("consumer/ebs"))
            .build();
        final EncryptedVolume scratch = EncryptedVolume.Builder.create(storage, "Scratch")
            .availabilityZone(PRIMARY_REGION + "a")
            .size(Size.gibibytes(20))
            .encryptionKey(ebsKey)
            .build();
        Validations.of(scratch).acknowledge(Acknowledgment.builder()
            .id("CloudFormation-Validate::W3010")
            .reason("The consumer app pins one Availability Zone on purpose")
            .build());
        scratch.grantAttachVolume(worker);
        LaunchTemplate.Builder.create(storage, "FleetTemplate")
            .blockDevices(List.of(EncryptedBlockDevice.forAutoScaling(ebsKey, EncryptedBlockDeviceOptions.builder()
                .deviceName("/dev/xvda")
                .size(Size.gibibytes(30))
                .build())))
            .build();
        // Every launch in the account may use the key through EC2; EbsEncryptionByDefault asks for the
        // same (once is enough: the statements and the warning are not repeated).
        ebsKey.allowEbsForAccount();
        EbsEncryptionByDefault.Builder.create(storage, "EbsDefault").encryptionKey(ebsKey).build();

        final SecureStringParameter dbPassword = SecureStringParameter.Builder.create(storage, "DbPassword")
            .parameterName("/consumer/db/password")
            .value(SecureStringValue.generated(GeneratedValueOptions.builder().length(40).build()))
            .encryptionKey(dataKey)
            .description("Generated at deploy time")
            .build();
        dbPassword.grantRead(worker);
        SecureStringParameter.Builder.create(storage, "ApiKey")
            .parameterName("/consumer/api-key")
            .value(SecureStringValue.fromCiphertext(API_KEY_CIPHERTEXT, CiphertextValueOptions.builder()
                .encryptionContext(Map.of("app", "consumer"))
                .build()))
            .encryptionKey(dataKey)
            .build();

        final EncryptedSecret apiSecret = EncryptedSecret.Builder.create(storage, "ApiSecret")
            .description("Consumer API credentials")
            .build();
        apiSecret.grantRead(worker);

        // A service view handed to an aws-cdk-lib construct: its grants carry kms:ViaService sqs.
        final Queue events = Queue.Builder.create(storage, "Events")
            .encryption(QueueEncryption.KMS)
            .encryptionMasterKey(dataKey.forService(KeyService.SQS))
            .build();
        events.grantSendMessages(worker);

        // --- databases: the snapshot copy grant in the DR Region (deployed first) -----------------
        final Stack databasesDr = new Stack(app, "ConsumerDatabasesDr", StackProps.builder()
            .env(Environment.builder().account(ACCOUNT).region(REPLICA_REGION).build())
            .build());
        final RedshiftSnapshotCopyGrant copyGrant = RedshiftSnapshotCopyGrant.Builder.create(databasesDr, "CopyGrant")
            .encryptionKey(EncryptionKey.Builder.create(databasesDr, "CopyKey")
                .description("Consumer Redshift copies")
                .aliases(List.of("consumer/redshift-dr"))
                .build())
            .snapshotCopyGrantName("consumer-warehouse-dr")
            .build();

        // --- databases: RDS, Aurora and Redshift under one key ---------------------------------
        final Stack databases = new Stack(app, "ConsumerDatabases", StackProps.builder().env(primaryEnv).build());
        final Vpc vpc = Vpc.Builder.create(databases, "Vpc")
            .availabilityZones(List.of(PRIMARY_REGION + "a", PRIMARY_REGION + "b"))
            .subnetConfiguration(List.of(SubnetConfiguration.builder()
                .name("db")
                .subnetType(SubnetType.PRIVATE_ISOLATED)
                .build()))
            .build();
        final EncryptionKey dbKey = EncryptionKey.Builder.create(databases, "DbKey")
            .description("Consumer databases")
            .aliases(List.of("consumer/db"))
            .build();
        final Role dbApp = lambdaRole(databases, "DbAppRole");
        final Role dba = Role.Builder.create(databases, "DbaRole").assumedBy(new AccountRootPrincipal()).build();
        final Role analyst = Role.Builder.create(databases, "AnalystRole").assumedBy(new AccountRootPrincipal()).build();

        final EncryptedDatabaseInstance ordersDb = EncryptedDatabaseInstance.Builder.create(databases, "OrdersDb")
            .engine(DatabaseInstanceEngine.postgres(PostgresInstanceEngineProps.builder()
                .version(PostgresEngineVersion.VER_16)
                .build()))
            .vpc(vpc)
            .encryptionKey(dbKey)
            .port(5433)
            .manageMasterUserPassword(true)
            // fewer than every log type of the engine: warns (databaseLogExportsReduced)
            .cloudwatchLogsExports(List.of("postgresql"))
            .build();
        ordersDb.grantConnect(dbApp, "orders_app");
        ordersDb.grantSecretRead(dba);

        final EncryptedDatabaseCluster ledger = EncryptedDatabaseCluster.Builder.create(databases, "Ledger")
            .engine(DatabaseClusterEngine.auroraPostgres(AuroraPostgresClusterEngineProps.builder()
                .version(AuroraPostgresEngineVersion.VER_16_4)
                .build()))
            .vpc(vpc)
            .encryptionKey(dbKey)
            .build();
        ledger.grantPerformanceInsightsRead(analyst);

        EncryptedRedshiftCluster.Builder.create(databases, "Warehouse")
            .vpc(vpc)
            .encryptionKey(dbKey)
            .numberOfNodes(4)
            .port(5440)
            .snapshotCopy(RedshiftSnapshotCopyOptions.builder()
                .destinationRegion(copyGrant.getRegion())
                .grantName(copyGrant.getSnapshotCopyGrantName())
                .retention(Duration.days(14))
                .build())
            .build();
        databases.addStackDependency(databasesDr, "the snapshot copy grant must exist before the cluster names it");

        // the source Region's half of the snapshot copies: completion events to the DR Region
        SnapshotRegionCopyForwarder.Builder.create(databases, "SnapshotsToDr")
            .destinationRegion(REPLICA_REGION)
            .snapshotTypes(List.of(SnapshotType.EBS, SnapshotType.RDS_DB))
            .build();
        // and every six hours, the newest snapshot of the orders database and a volume, when it is new
        SnapshotRegionCopySchedule.Builder.create(databases, "NewestToDr")
            .destinationRegion(REPLICA_REGION)
            .schedule(Schedule.rate(Duration.hours(6)))
            .dbInstanceIdentifiers(List.of("consumer-orders"))
            .ebsVolumeIds(List.of("vol-0123456789abcdef0"))
            .encryptionKey(dbKey)
            .build();

        // --- snapshot copies into the DR Region ------------------------------------------------
        final Stack snapshotsDr = new Stack(app, "ConsumerSnapshotsDr", StackProps.builder()
            .env(Environment.builder().account(ACCOUNT).region(REPLICA_REGION).build())
            .build());
        final SnapshotRegionCopy regionCopy = SnapshotRegionCopy.Builder.create(snapshotsDr, "FromPrimary")
            .sourceRegion(PRIMARY_REGION)
            .encryptionKey(EncryptionKey.Builder.create(snapshotsDr, "SnapshotKey")
                .description("Consumer snapshot copies")
                .aliases(List.of("consumer/snapshots-dr"))
                .build())
            .snapshotTypes(List.of(SnapshotType.EBS, SnapshotType.RDS_DB))
            .keepCopies(14)
            .copyNamePrefix("consumer-dr")
            .firstPoll(Duration.minutes(10))
            .copyTimeout(Duration.hours(12))
            .copyOnScheduleRequests(true)
            .build();
        regionCopy.grantStartExecution(Role.Builder.create(snapshotsDr, "OnCall").assumedBy(new AccountRootPrincipal()).build());

        // --- key audit: a trail under its own key, alerts on the data key -----------------------
        final Stack audit = new Stack(app, "ConsumerAudit", StackProps.builder().env(primaryEnv).build());
        final Role auditors = Role.Builder.create(audit, "Auditors").assumedBy(new AccountRootPrincipal()).build();
        final Role investigator = Role.Builder.create(audit, "Investigator").assumedBy(new AccountRootPrincipal()).build();
        final EncryptionKey auditKey = EncryptionKey.Builder.create(audit, "AuditKey")
            .description("Consumer audit trail")
            .aliases(List.of("consumer/audit"))
            .build();
        final KeyAuditTrail trail = KeyAuditTrail.Builder.create(audit, "Trail")
            .encryptionKey(auditKey)
            .trailName("consumer-key-audit")
            .logReaders(List.of(auditors))
            .dataEventSelectors(List.of(CfnTrail.AdvancedEventSelectorProperty.builder()
                .name("S3 objects")
                .fieldSelectors(List.of(
                    CfnTrail.AdvancedFieldSelectorProperty.builder().field("eventCategory").equalTo(List.of("Data")).build(),
                    CfnTrail.AdvancedFieldSelectorProperty.builder().field("resources.type").equalTo(List.of("AWS::S3::Object")).build()))
                .build()))
            .build();
        trail.grantReadLogFiles(investigator);
        final KeyAlerts alerts = KeyAlerts.Builder.create(audit, "Alerts")
            .keys(List.of(dataKey, auditKey))
            .aliasNames(List.of("consumer/data", "consumer/audit"))
            .trail(trail)
            .emailAddresses(List.of("security@example.com"))
            .encryptionKey(EncryptionKey.Builder.create(audit, "AlertKey")
                .description("Consumer key alerts")
                .aliases(List.of("consumer/alerts"))
                .build())
            .build();
        alerts.addEmailSubscription("oncall@example.com");
        alerts.addSubscription(new SqsSubscription(Queue.Builder.create(audit, "AlertQueue")
            .encryption(QueueEncryption.SQS_MANAGED)
            .enforceSsl(true)
            .build()));

        // --- EBS snapshots shared with the partner account, copied there under the partner's key --
        final Stack shareSource = new Stack(app, "ConsumerShareSource", StackProps.builder().env(primaryEnv).build());
        final SnapshotShareSource shareVolumes = SnapshotShareSource.Builder.create(shareSource, "ShareVolumes")
            .snapshotType(SnapshotType.EBS)
            .targets(List.of(ShareTarget.account(PARTNER_ACCOUNT)))
            .encryptionKey(EncryptionKey.Builder.create(shareSource, "ShareKey")
                .description("Consumer shared snapshots")
                .aliases(List.of("consumer/share"))
                .build())
            .createFrom(List.of("vol-0123456789abcdef0"))
            .confirmationTimeout(Duration.hours(12))
            .polling(SnapshotPollingOptions.builder()
                .initialPollInterval(Duration.minutes(1))
                .maxPollInterval(Duration.minutes(15))
                .snapshotTimeout(Duration.hours(6))
                .build())
            .build();
        shareVolumes.grantStartExecution(Role.Builder.create(shareSource, "ShareOperator").assumedBy(new AccountRootPrincipal()).build());
        final Stack shareTarget = new Stack(app, "ConsumerShareTarget", StackProps.builder()
            .env(Environment.builder().account(PARTNER_ACCOUNT).region(PRIMARY_REGION).build())
            .build());
        SnapshotShareTarget.Builder.create(shareTarget, "ReceiveVolumes")
            .snapshotType(SnapshotType.EBS)
            .sourceAccounts(List.of(ACCOUNT))
            .encryptionKey(EncryptionKey.Builder.create(shareTarget, "ReceivedKey")
                .description("Partner copies")
                .aliases(List.of("partner/received"))
                .build())
            .restore(SnapshotRestoreOptions.builder().availabilityZone(PRIMARY_REGION + "a").build())
            .build();

        // --- RDS DB snapshots shared straight into the partner's DR Region (one CopyDBSnapshot there) --
        SnapshotShareSource.Builder.create(shareSource, "ShareDatabases")
            .snapshotType(SnapshotType.RDS_DB)
            .targets(List.of(ShareTarget.accountInRegion(PARTNER_ACCOUNT, REPLICA_REGION)))
            .encryptionKey(EncryptionKey.Builder.create(shareSource, "ShareDbKey")
                .description("Consumer shared DB snapshots")
                .aliases(List.of("consumer/share-db"))
                .build())
            .build();
        // --- Redshift snapshots shared with the partner, who restores a cluster under its own key --
        SnapshotShareSource.Builder.create(shareSource, "ShareWarehouse")
            .snapshotType(SnapshotType.REDSHIFT_CLUSTER)
            .targets(List.of(ShareTarget.account(PARTNER_ACCOUNT)))
            .encryptionKey(EncryptionKey.Builder.create(shareSource, "WarehouseKey")
                .description("Consumer warehouse")
                .aliases(List.of("consumer/warehouse"))
                .build())
            .createFrom(List.of("consumer-warehouse"))
            .build();
        SnapshotShareTarget.Builder.create(shareTarget, "ReceiveWarehouse")
            .snapshotType(SnapshotType.REDSHIFT_CLUSTER)
            .sourceAccounts(List.of(ACCOUNT))
            .encryptionKey(EncryptionKey.Builder.create(shareTarget, "WarehouseCopyKey")
                .description("Partner warehouse")
                .aliases(List.of("partner/warehouse"))
                .build())
            .restore(SnapshotRestoreOptions.builder()
                .clusterSubnetGroupName("analytics-private")
                .vpcSecurityGroupIds(List.of("sg-0a1b2c3d4e5f60718"))
                .nodeType("ra3.xlplus")
                .numberOfNodes(2)
                .build())
            .build();

        final Stack shareTargetDr = new Stack(app, "ConsumerShareTargetDr", StackProps.builder()
            .env(Environment.builder().account(PARTNER_ACCOUNT).region(REPLICA_REGION).build())
            .build());
        SnapshotShareTarget.Builder.create(shareTargetDr, "ReceiveDatabases")
            .snapshotType(SnapshotType.RDS_DB)
            .sourceAccounts(List.of(ACCOUNT))
            .sourceRegion(PRIMARY_REGION)
            .encryptionKey(EncryptionKey.Builder.create(shareTargetDr, "ReceivedDbKey")
                .description("Partner DR copies")
                .aliases(List.of("partner/received-dr"))
                .build())
            .build();

        // --- the warehouse's snapshot copies, shared in the DR Region (automated ones made manual first) ---
        final SnapshotShareSource warehouseShare = SnapshotShareSource.Builder.create(databasesDr, "ShareWarehouseCopies")
            .snapshotType(SnapshotType.REDSHIFT_CLUSTER)
            .targets(List.of(ShareTarget.account(PARTNER_ACCOUNT)))
            .encryptionKey(copyGrant.getEncryptionKey())
            .redshiftCopies(RedshiftCopyShareOptions.builder()
                .clusterIdentifier("consumer-warehouse")
                .manualCopyRetention(Duration.days(10))
                .schedule(Schedule.rate(Duration.hours(2)))
                .build())
            .build();
        if (warehouseShare.getCopySweep() == null) {
            throw new IllegalStateException("redshiftCopies made no copy sweep");
        }
        SnapshotShareTarget.Builder.create(shareTargetDr, "ReceiveWarehouseCopies")
            .snapshotType(SnapshotType.REDSHIFT_CLUSTER)
            .sourceAccounts(List.of(ACCOUNT))
            .restore(SnapshotRestoreOptions.builder()
                .clusterSubnetGroupName("analytics-dr")
                .vpcSecurityGroupIds(List.of("sg-0a1b2c3d4e5f60718"))
                .build())
            .build();
    }

    /** Synthesizes the app into {@code outdir}, offline. */
    public static CloudAssembly synth(final String outdir) {
        final App app = new App(AppProps.builder()
            .outdir(outdir)
            .context(Map.of(
                "@aws-cdk/core:defaultCrossStackReferences", "strong",
                "aws:cdk:disable-version-reporting", true))
            .build());
        buildConsumerApp(app);
        return app.synth();
    }

    /** {@code java ConsumerApp [outdir]}, or CONSUMER_OUTDIR. */
    public static void main(final String[] args) {
        final String outdir = args.length > 0 ? args[0] : System.getenv("CONSUMER_OUTDIR");
        if (outdir == null || outdir.isEmpty()) {
            System.err.println("usage: CONSUMER_OUTDIR=<dir> java ConsumerApp  (or pass the directory as the first argument)");
            System.exit(2);
        }
        final CloudAssembly assembly = synth(outdir);
        System.out.println("java consumer: " + assembly.getStacks().size() + " stacks in " + outdir);
    }
}

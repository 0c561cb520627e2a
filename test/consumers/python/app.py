"""The consumer app in Python: THE SAME app as test/consumers/typescript/app.ts, built through the
cdk_kms_patterns wheel. Keep the three apps (TypeScript, Python, Java) in step: same construct
ids, same props, same grants, in the same order.

    CONSUMER_OUTDIR=/tmp/py.out python app.py      # or: python app.py /tmp/py.out
"""
import os
import sys

import aws_cdk as cdk
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as aws_events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import cx_api
from cdk_kms_patterns import (
    EbsEncryptionByDefault,
    EncryptedBlockDevice,
    EncryptedBucket,
    EncryptedDatabaseCluster,
    EncryptedDatabaseInstance,
    EncryptedRedshiftCluster,
    EncryptedSecret,
    EncryptedVolume,
    EncryptionKey,
    KeyAccess,
    KeyAlerts,
    KeyAuditTrail,
    KeyCapability,
    KeyService,
    RedshiftCopyShareOptions,
    RedshiftSnapshotCopyGrant,
    RedshiftSnapshotCopyOptions,
    ReplicaKey,
    SecureStringParameter,
    SecureStringValue,
    ShareTarget,
    SnapshotPollingOptions,
    SnapshotRegionCopy,
    SnapshotRegionCopyForwarder,
    SnapshotRegionCopySchedule,
    SnapshotRestoreOptions,
    SnapshotShareSource,
    SnapshotShareTarget,
    SnapshotType,
)

ACCOUNT = "111111111111"
PARTNER_ACCOUNT = "222222222222"
PRIMARY_REGION = "eu-west-1"
REPLICA_REGION = "us-east-1"
SHARED_KEY_ARN = f"arn:aws:kms:{PRIMARY_REGION}:{PARTNER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# A fixed, well-formed base64 "CiphertextBlob" (not a real KMS ciphertext: nothing decrypts it at synth).
API_KEY_CIPHERTEXT = (
    "AQICAHhjb25zdW1lci1hcHAgZml4ZWQgY2lwaGVydGV4dDogbm90IGEgcmVhbCBLTVMgYmxvYiwgbmV2ZXIgZGVjcnlwdGVkIGluIHRlc3Rz"
)


def build_consumer_app(app: cdk.App) -> None:
    """Builds every stack of the consumer app into ``app``."""
    primary_env = cdk.Environment(account=ACCOUNT, region=PRIMARY_REGION)

    # --- the key stack ----------------------------------------------------------------------
    keys = cdk.Stack(app, "ConsumerKeys", env=primary_env)
    admins = iam.Role(keys, "KeyAdmins", assumed_by=iam.AccountRootPrincipal())
    app_role = iam.Role(keys, "AppRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    batch_role = iam.Role(keys, "BatchRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    ingest_role = iam.Role(keys, "IngestRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

    data_key = EncryptionKey(
        keys,
        "DataKey",
        description="Consumer data key",
        multi_region=True,
        aliases=["consumer/data", "alias/consumer/data-v2"],
        administrators=[admins],
        access=[
            KeyAccess(
                capabilities=[KeyCapability.ENVELOPE, KeyCapability.DESCRIBE],
                principals=[app_role],
                via_services=[KeyService.S3],
            ),
            KeyAccess(
                capabilities=[KeyCapability.DECRYPT],
                principal_arn_patterns=[f"arn:aws:iam::{ACCOUNT}:role/analytics/*"],
                principal_tags={"team": "analytics"},
                via_services=[KeyService.S3],
                encryption_context={"aws:s3:arn": "arn:aws:s3:::consumer-data/*"},
            ),
            # Use KeyAccess(...), not a plain dict: jsii passes a dict inside a list with only the keys
            # KeyAccess declares (camelCase), so "via_services" would be dropped and the rule would
            # lose its kms:ViaService condition silently. test_consumer.py pins that behaviour.
            KeyAccess(
                capabilities=[KeyCapability.DECRYPT, KeyCapability.DESCRIBE],
                accounts=[PARTNER_ACCOUNT],
                via_services=[KeyService.S3, KeyService.of("elasticfilesystem")],
            ),
        ],
    )
    data_key.grant_capabilities(
        batch_role, KeyCapability.ENCRYPT, KeyCapability.DECRYPT, KeyCapability.GRANT_FOR_AWS_RESOURCE
    )
    # raw actions: the wildcard is written out (kms:ReEncryptFrom, kms:ReEncryptTo)
    data_key.grant(batch_role, "kms:ReEncrypt*")
    # aws-cdk-lib's grantEncrypt contract, written out
    data_key.grant_encrypt(ingest_role)
    data_key.allow_cloud_watch_logs()
    data_key.allow_cloud_trail()
    # the organization trail of the management account (the partner's, here) logs to this account
    data_key.allow_cloud_trail(trail_account=PARTNER_ACCOUNT)
    data_key.allow_auto_scaling()

    signing_key = EncryptionKey(
        keys,
        "SigningKey",
        key_spec=kms.KeySpec.RSA_3072,
        key_usage=kms.KeyUsage.SIGN_VERIFY,
        aliases=["consumer/signing"],
        administrators=[admins],
    )
    signing_key.grant_sign(app_role)
    signing_key.grant_get_public_key(app_role)

    token_key = EncryptionKey(keys, "TokenKey", key_spec=kms.KeySpec.ECC_NIST_P256, administrators=[admins])
    token_key.grant_verify(batch_role)

    mac_key = EncryptionKey(keys, "MacKey", key_spec=kms.KeySpec.HMAC_256, administrators=[admins])
    mac_key.grant_generate_mac(app_role)
    mac_key.grant_verify_mac(batch_role)

    shared = EncryptionKey.from_key_arn(keys, "SharedKey", SHARED_KEY_ARN)
    shared.grant_decrypt(batch_role)
    EncryptionKey.grant_generate_random(app_role)

    # --- the replica, in the DR Region --------------------------------------------------------
    dr = cdk.Stack(
        app,
        "ConsumerKeysDr",
        env=cdk.Environment(account=ACCOUNT, region=REPLICA_REGION),
        cross_region_references=True,
    )
    ReplicaKey(dr, "DataKeyReplica", primary_key=data_key, aliases=["consumer/data"])

    # --- a workload of the same account -------------------------------------------------------
    workload = cdk.Stack(app, "ConsumerWorkload", env=primary_env)
    reporting = iam.Role(workload, "ReportingRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    data_key.grant_decrypt(reporting)

    # --- the partner's account ----------------------------------------------------------------
    partner = cdk.Stack(
        app, "ConsumerPartner", env=cdk.Environment(account=PARTNER_ACCOUNT, region=PRIMARY_REGION)
    )
    importer = iam.Role(partner, "ImporterRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    data_key.grant_decrypt(importer)

    # --- storage and parameters of the key account --------------------------------------------
    # The worker lives with the bucket, volume and parameters it is granted (no cycle between
    # stacks); the key stack's policy names it by aws:PrincipalArn.
    storage = cdk.Stack(app, "ConsumerStorage", env=primary_env)
    worker = iam.Role(storage, "StorageWorker", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

    orders = EncryptedBucket(storage, "Orders", encryption_key=data_key)
    orders.grant_read_write(worker)

    # EBS gets a key of its own: EBS encryption by default opens it to the account through EC2.
    ebs_key = EncryptionKey(storage, "EbsKey", description="Consumer EBS key", aliases=["consumer/ebs"])
    scratch = EncryptedVolume(
        storage,
        "Scratch",
        availability_zone=f"{PRIMARY_REGION}a",
        size=cdk.Size.gibibytes(20),
        encryption_key=ebs_key,
    )
    cdk.Validations.of(scratch).acknowledge(
        cdk.Acknowledgment(id="CloudFormation-Validate::W3010", reason="The consumer app pins one Availability Zone on purpose")
    )
    scratch.grant_attach_volume(worker)
    ec2.LaunchTemplate(
        storage,
        "FleetTemplate",
        block_devices=[
            EncryptedBlockDevice.for_auto_scaling(ebs_key, device_name="/dev/xvda", size=cdk.Size.gibibytes(30))
        ],
    )
    # Every launch in the account may use the key through EC2; EbsEncryptionByDefault asks for the
    # same (once is enough: the statements and the warning are not repeated).
    ebs_key.allow_ebs_for_account()
    EbsEncryptionByDefault(storage, "EbsDefault", encryption_key=ebs_key)

    db_password = SecureStringParameter(
        storage,
        "DbPassword",
        parameter_name="/consumer/db/password",
        value=SecureStringValue.generated(length=40),
        encryption_key=data_key,
        description="Generated at deploy time",
    )
    db_password.grant_read(worker)
    SecureStringParameter(
        storage,
        "ApiKey",
        parameter_name="/consumer/api-key",
        value=SecureStringValue.from_ciphertext(API_KEY_CIPHERTEXT, encryption_context={"app": "consumer"}),
        encryption_key=data_key,
    )

    api_secret = EncryptedSecret(storage, "ApiSecret", description="Consumer API credentials")
    api_secret.grant_read(worker)

    # A service view handed to an aws-cdk-lib construct: its grants carry kms:ViaService sqs.
    events = sqs.Queue(
        storage,
        "Events",
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=data_key.for_service(KeyService.SQS),
    )
    events.grant_send_messages(worker)

    # --- databases: the snapshot copy grant in the DR Region (deployed first) -------------------
    databases_dr = cdk.Stack(app, "ConsumerDatabasesDr", env=cdk.Environment(account=ACCOUNT, region=REPLICA_REGION))
    copy_grant = RedshiftSnapshotCopyGrant(
        databases_dr,
        "CopyGrant",
        encryption_key=EncryptionKey(
            databases_dr, "CopyKey", description="Consumer Redshift copies", aliases=["consumer/redshift-dr"]
        ),
        snapshot_copy_grant_name="consumer-warehouse-dr",
    )

    # --- databases: RDS, Aurora and Redshift under one key -----------------------------------
    databases = cdk.Stack(app, "ConsumerDatabases", env=primary_env)
    vpc = ec2.Vpc(
        databases,
        "Vpc",
        availability_zones=[f"{PRIMARY_REGION}a", f"{PRIMARY_REGION}b"],
        subnet_configuration=[ec2.SubnetConfiguration(name="db", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
    )
    db_key = EncryptionKey(databases, "DbKey", description="Consumer databases", aliases=["consumer/db"])
    db_app = iam.Role(databases, "DbAppRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    dba = iam.Role(databases, "DbaRole", assumed_by=iam.AccountRootPrincipal())
    analyst = iam.Role(databases, "AnalystRole", assumed_by=iam.AccountRootPrincipal())

    orders_db = EncryptedDatabaseInstance(
        databases,
        "OrdersDb",
        engine=rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_16),
        vpc=vpc,
        encryption_key=db_key,
        port=5433,
        manage_master_user_password=True,
        # fewer than every log type of the engine: warns (databaseLogExportsReduced)
        cloudwatch_logs_exports=["postgresql"],
    )
    orders_db.grant_connect(db_app, "orders_app")
    orders_db.grant_secret_read(dba)

    ledger = EncryptedDatabaseCluster(
        databases,
        "Ledger",
        engine=rds.DatabaseClusterEngine.aurora_postgres(version=rds.AuroraPostgresEngineVersion.VER_16_4),
        vpc=vpc,
        encryption_key=db_key,
    )
    ledger.grant_performance_insights_read(analyst)

    EncryptedRedshiftCluster(
        databases,
        "Warehouse",
        vpc=vpc,
        encryption_key=db_key,
        number_of_nodes=4,
        port=5440,
        snapshot_copy=RedshiftSnapshotCopyOptions(
            destination_region=copy_grant.region,
            grant_name=copy_grant.snapshot_copy_grant_name,
            retention=cdk.Duration.days(14),
        ),
    )
    databases.add_stack_dependency(databases_dr, "the snapshot copy grant must exist before the cluster names it")

    # the source Region's half of the snapshot copies: completion events to the DR Region
    SnapshotRegionCopyForwarder(
        databases,
        "SnapshotsToDr",
        destination_region=REPLICA_REGION,
        snapshot_types=[SnapshotType.EBS, SnapshotType.RDS_DB],
    )
    # and every six hours, the newest snapshot of the orders database and a volume, when it is new
    SnapshotRegionCopySchedule(
        databases,
        "NewestToDr",
        destination_region=REPLICA_REGION,
        schedule=aws_events.Schedule.rate(cdk.Duration.hours(6)),
        db_instance_identifiers=["consumer-orders"],
        ebs_volume_ids=["vol-0123456789abcdef0"],
        encryption_key=db_key,
    )

    # --- snapshot copies into the DR Region --------------------------------------------------
    snapshots_dr = cdk.Stack(app, "ConsumerSnapshotsDr", env=cdk.Environment(account=ACCOUNT, region=REPLICA_REGION))
    region_copy = SnapshotRegionCopy(
        snapshots_dr,
        "FromPrimary",
        source_region=PRIMARY_REGION,
        encryption_key=EncryptionKey(
            snapshots_dr, "SnapshotKey", description="Consumer snapshot copies", aliases=["consumer/snapshots-dr"]
        ),
        snapshot_types=[SnapshotType.EBS, SnapshotType.RDS_DB],
        keep_copies=14,
        copy_name_prefix="consumer-dr",
        first_poll=cdk.Duration.minutes(10),
        copy_timeout=cdk.Duration.hours(12),
        copy_on_schedule_requests=True,
    )
    region_copy.grant_start_execution(iam.Role(snapshots_dr, "OnCall", assumed_by=iam.AccountRootPrincipal()))

    # --- key audit: a trail under its own key, alerts on the data key -------------------------
    audit = cdk.Stack(app, "ConsumerAudit", env=primary_env)
    auditors = iam.Role(audit, "Auditors", assumed_by=iam.AccountRootPrincipal())
    investigator = iam.Role(audit, "Investigator", assumed_by=iam.AccountRootPrincipal())
    audit_key = EncryptionKey(audit, "AuditKey", description="Consumer audit trail", aliases=["consumer/audit"])
    trail = KeyAuditTrail(
        audit,
        "Trail",
        encryption_key=audit_key,
        trail_name="consumer-key-audit",
        log_readers=[auditors],
        # the struct classes, not dicts: inside a list jsii keeps only the declared camelCase keys
        data_event_selectors=[
            cloudtrail.CfnTrail.AdvancedEventSelectorProperty(
                name="S3 objects",
                field_selectors=[
                    cloudtrail.CfnTrail.AdvancedFieldSelectorProperty(field="eventCategory", equal_to=["Data"]),
                    cloudtrail.CfnTrail.AdvancedFieldSelectorProperty(field="resources.type", equal_to=["AWS::S3::Object"]),
                ],
            )
        ],
    )
    trail.grant_read_log_files(investigator)
    alerts = KeyAlerts(
        audit,
        "Alerts",
        keys=[data_key, audit_key],
        alias_names=["consumer/data", "consumer/audit"],
        trail=trail,
        email_addresses=["security@example.com"],
        encryption_key=EncryptionKey(audit, "AlertKey", description="Consumer key alerts", aliases=["consumer/alerts"]),
    )
    alerts.add_email_subscription("oncall@example.com")
    alerts.add_subscription(
        subscriptions.SqsSubscription(
            sqs.Queue(audit, "AlertQueue", encryption=sqs.QueueEncryption.SQS_MANAGED, enforce_ssl=True)
        )
    )

    # --- EBS snapshots shared with the partner account, copied there under the partner's key ----
    share_source = cdk.Stack(app, "ConsumerShareSource", env=primary_env)
    share_volumes = SnapshotShareSource(
        share_source,
        "ShareVolumes",
        snapshot_type=SnapshotType.EBS,
        targets=[ShareTarget.account(PARTNER_ACCOUNT)],
        encryption_key=EncryptionKey(
            share_source, "ShareKey", description="Consumer shared snapshots", aliases=["consumer/share"]
        ),
        create_from=["vol-0123456789abcdef0"],
        confirmation_timeout=cdk.Duration.hours(12),
        polling=SnapshotPollingOptions(
            initial_poll_interval=cdk.Duration.minutes(1),
            max_poll_interval=cdk.Duration.minutes(15),
            snapshot_timeout=cdk.Duration.hours(6),
        ),
    )
    share_volumes.grant_start_execution(
        iam.Role(share_source, "ShareOperator", assumed_by=iam.AccountRootPrincipal())
    )
    share_target = cdk.Stack(
        app, "ConsumerShareTarget", env=cdk.Environment(account=PARTNER_ACCOUNT, region=PRIMARY_REGION)
    )
    SnapshotShareTarget(
        share_target,
        "ReceiveVolumes",
        snapshot_type=SnapshotType.EBS,
        source_accounts=[ACCOUNT],
        encryption_key=EncryptionKey(share_target, "ReceivedKey", description="Partner copies", aliases=["partner/received"]),
        restore=SnapshotRestoreOptions(availability_zone=f"{PRIMARY_REGION}a"),
    )

    # --- RDS DB snapshots shared straight into the partner's DR Region (one CopyDBSnapshot there) ---
    SnapshotShareSource(
        share_source,
        "ShareDatabases",
        snapshot_type=SnapshotType.RDS_DB,
        targets=[ShareTarget.account_in_region(PARTNER_ACCOUNT, REPLICA_REGION)],
        encryption_key=EncryptionKey(
            share_source, "ShareDbKey", description="Consumer shared DB snapshots", aliases=["consumer/share-db"]
        ),
    )
    # --- Redshift snapshots shared with the partner, who restores a cluster under its own key --
    SnapshotShareSource(
        share_source,
        "ShareWarehouse",
        snapshot_type=SnapshotType.REDSHIFT_CLUSTER,
        targets=[ShareTarget.account(PARTNER_ACCOUNT)],
        encryption_key=EncryptionKey(share_source, "WarehouseKey", description="Consumer warehouse", aliases=["consumer/warehouse"]),
        create_from=["consumer-warehouse"],
    )
    SnapshotShareTarget(
        share_target,
        "ReceiveWarehouse",
        snapshot_type=SnapshotType.REDSHIFT_CLUSTER,
        source_accounts=[ACCOUNT],
        encryption_key=EncryptionKey(share_target, "WarehouseCopyKey", description="Partner warehouse", aliases=["partner/warehouse"]),
        restore=SnapshotRestoreOptions(
            cluster_subnet_group_name="analytics-private",
            vpc_security_group_ids=["sg-0a1b2c3d4e5f60718"],
            node_type="ra3.xlplus",
            number_of_nodes=2,
        ),
    )

    share_target_dr = cdk.Stack(
        app, "ConsumerShareTargetDr", env=cdk.Environment(account=PARTNER_ACCOUNT, region=REPLICA_REGION)
    )
    SnapshotShareTarget(
        share_target_dr,
        "ReceiveDatabases",
        snapshot_type=SnapshotType.RDS_DB,
        source_accounts=[ACCOUNT],
        source_region=PRIMARY_REGION,
        encryption_key=EncryptionKey(
            share_target_dr, "ReceivedDbKey", description="Partner DR copies", aliases=["partner/received-dr"]
        ),
    )

    # --- the warehouse's snapshot copies, shared in the DR Region (automated ones made manual first) ---
    warehouse_share = SnapshotShareSource(
        databases_dr,
        "ShareWarehouseCopies",
        snapshot_type=SnapshotType.REDSHIFT_CLUSTER,
        targets=[ShareTarget.account(PARTNER_ACCOUNT)],
        encryption_key=copy_grant.encryption_key,
        redshift_copies=RedshiftCopyShareOptions(
            cluster_identifier="consumer-warehouse",
            manual_copy_retention=cdk.Duration.days(10),
            schedule=aws_events.Schedule.rate(cdk.Duration.hours(2)),
        ),
    )
    if warehouse_share.copy_sweep is None:
        raise RuntimeError("redshift_copies made no copy sweep")
    SnapshotShareTarget(
        share_target_dr,
        "ReceiveWarehouseCopies",
        snapshot_type=SnapshotType.REDSHIFT_CLUSTER,
        source_accounts=[ACCOUNT],
        restore=SnapshotRestoreOptions(cluster_subnet_group_name="analytics-dr", vpc_security_group_ids=["sg-0a1b2c3d4e5f60718"]),
    )


def synth(outdir: str) -> cx_api.CloudAssembly:
    """Synthesizes the app into ``outdir``, offline."""
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    os.environ.setdefault("CDK_DISABLE_VERSION_CHECK", "1")
    app = cdk.App(
        outdir=outdir,
        context={
            "@aws-cdk/core:defaultCrossStackReferences": "strong",
            "aws:cdk:disable-version-reporting": True,
        },
    )
    build_consumer_app(app)
    return app.synth()


def main(argv: list) -> int:
    outdir = argv[1] if len(argv) > 1 else os.environ.get("CONSUMER_OUTDIR")
    if not outdir:
        print("usage: CONSUMER_OUTDIR=<dir> python app.py  (or pass the directory as the first argument)", file=sys.stderr)
        return 2
    assembly = synth(outdir)
    print(f"python consumer: {len(assembly.stacks)} stacks in {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

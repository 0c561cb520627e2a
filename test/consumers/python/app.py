"""The consumer app in Python: THE SAME app as test/consumers/typescript/app.ts, built through the
cdk_kms_patterns wheel. Keep the three apps (TypeScript, Python, Java) in step: same construct
ids, same props, same grants, in the same order.

    CONSUMER_OUTDIR=/tmp/py.out python app.py      # or: python app.py /tmp/py.out
"""
import os
import sys

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from aws_cdk import cx_api
from cdk_kms_patterns import (
    EbsEncryptionByDefault,
    EncryptedBlockDevice,
    EncryptedBucket,
    EncryptedSecret,
    EncryptedVolume,
    EncryptionKey,
    KeyAccess,
    KeyCapability,
    KeyService,
    ReplicaKey,
    SecureStringParameter,
    SecureStringValue,
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

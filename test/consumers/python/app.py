"""The consumer app in Python: THE SAME app as test/consumers/typescript/app.ts, built through the
cdk_kms_patterns wheel. Keep the three apps (TypeScript, Python, Java) in step: same construct
ids, same props, same grants, in the same order.

    CONSUMER_OUTDIR=/tmp/py.out python app.py      # or: python app.py /tmp/py.out
"""
import os
import sys

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import cx_api
from cdk_kms_patterns import (
    EncryptionKey,
    KeyAccess,
    KeyCapability,
    KeyService,
    ReplicaKey,
)

ACCOUNT = "111111111111"
PARTNER_ACCOUNT = "222222222222"
PRIMARY_REGION = "eu-west-1"
REPLICA_REGION = "us-east-1"
SHARED_KEY_ARN = f"arn:aws:kms:{PRIMARY_REGION}:{PARTNER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def build_consumer_app(app: cdk.App) -> None:
    """Builds every stack of the consumer app into ``app``."""
    primary_env = cdk.Environment(account=ACCOUNT, region=PRIMARY_REGION)

    # --- the key stack ----------------------------------------------------------------------
    keys = cdk.Stack(app, "ConsumerKeys", env=primary_env)
    admins = iam.Role(keys, "KeyAdmins", assumed_by=iam.AccountRootPrincipal())
    app_role = iam.Role(keys, "AppRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    batch_role = iam.Role(keys, "BatchRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

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
            # Use KeyAccess(...), not a plain dict: inside a list, a dict's snake_case keys reach the
            # library unchanged and unknown keys are dropped ("via_services" would silently remove
            # the kms:ViaService condition). test_consumer.py pins that behaviour.
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
    data_key.allow_cloud_watch_logs()
    data_key.allow_cloud_trail()
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

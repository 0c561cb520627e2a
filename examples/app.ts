/**
 * The example app: how a platform team would use cdk-kms-patterns across two accounts and two
 * Regions. `npx projen example` synthesizes it offline (examples/main.ts).
 */
import { App, Expiration, Size, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AuditStack } from './audit';
import { DatabaseDrStack, DatabaseStack } from './databases';
import { SnapshotForwarderStack, SnapshotRegionCopyStack } from './snapshot-region-copy';
import { SnapshotShareTargetDrStack } from './snapshot-share-dr';
import { RedshiftCopyShareStack } from './snapshot-share-redshift-dr';
import { SnapshotShareSourceStack, SnapshotShareTargetStack } from './snapshots';
import {
  EbsEncryptionByDefault, EncryptedBlockDevice, EncryptedBucket, EncryptedSecret, EncryptedVolume, EncryptionKey,
  KeyCapability, KeyService, ReplicaKey, SecureStringParameter, SecureStringValue,
} from '../src';

/** The security team's account, where keys live. */
export const SECURITY_ACCOUNT = '111111111111';
/** A partner account that reads data encrypted under a shared key. */
export const PARTNER_ACCOUNT = '222222222222';
/** The primary Region. */
export const PRIMARY_REGION = 'eu-west-1';
/** The disaster-recovery Region, holding replicas. */
export const REPLICA_REGION = 'us-east-1';

/**
 * Keys of every kind, owned by the security team.
 */
export class KeyStack extends Stack {
  /** The multi-Region data key: envelope encryption for S3, EBS, RDS. */
  public readonly dataKey: EncryptionKey;
  /** Signs release artifacts. */
  public readonly signingKey: EncryptionKey;
  /** ECDSA signatures for tokens. */
  public readonly tokenKey: EncryptionKey;
  /** HMAC for webhook payloads. */
  public readonly macKey: EncryptionKey;
  /** Bring-your-own-key material held by the company's HSM team. */
  public readonly byokKey: EncryptionKey;
  /** The application role that reads and writes data through S3. */
  public readonly appRole: iam.Role;
  /** Encrypts secrets of the security team. */
  public readonly secretsKey: EncryptionKey;

  constructor(scope: Construct, id: string, props: StackProps) {
    super(scope, id, props);
    const keyAdmins = new iam.Role(this, 'KeyAdmins', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Administers KMS keys; cannot use them',
    });
    this.appRole = new iam.Role(this, 'AppRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'The orders service',
    });

    this.dataKey = new EncryptionKey(this, 'DataKey', {
      description: 'Orders data, replicated to the DR Region',
      aliases: ['orders/data'],
      multiRegion: true,
      administrators: [keyAdmins],
      access: [
        {
          // the orders service uses the key only through S3
          capabilities: [KeyCapability.ENVELOPE, KeyCapability.DESCRIBE],
          principals: [this.appRole],
          viaServices: [KeyService.S3],
        },
        {
          // every analytics role of the account, however many, by IAM path
          capabilities: [KeyCapability.DECRYPT],
          principalArnPatterns: [`arn:aws:iam::${SECURITY_ACCOUNT}:role/analytics/*`],
          viaServices: [KeyService.S3],
        },
      ],
    });

    this.signingKey = new EncryptionKey(this, 'SigningKey', {
      description: 'Signs release artifacts',
      keySpec: kms.KeySpec.RSA_3072,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      aliases: ['release/signing'],
      administrators: [keyAdmins],
    });

    this.tokenKey = new EncryptionKey(this, 'TokenKey', {
      description: 'Signs session tokens (ECDSA P-256)',
      keySpec: kms.KeySpec.ECC_NIST_P256,
      aliases: ['auth/tokens'],
      administrators: [keyAdmins],
    });

    this.macKey = new EncryptionKey(this, 'MacKey', {
      description: 'Authenticates webhook payloads',
      keySpec: kms.KeySpec.HMAC_256,
      aliases: ['webhooks/mac'],
      administrators: [keyAdmins],
    });

    // Secrets get a key of their own: aws-cdk-lib's Secret grants its key to the whole account
    // through Secrets Manager (the library warns), which the data key must not allow.
    const secretsKey = this.secretsKey = new EncryptionKey(this, 'SecretsKey', {
      description: 'Encrypts secrets of the security team',
      aliases: ['secrets/security'],
      administrators: [keyAdmins],
    });
    Validations.of(secretsKey).acknowledge({
      id: 'cdk-kms-patterns:accountWideGrant',
      reason: 'aws-cdk-lib Secret: the account may use this key through Secrets Manager only',
    });
    // Bring your own key: the HSM team puts 32 random bytes in a secret before the first deployment
    // (the material must exist when the key is created, so the stack cannot generate it):
    //   openssl rand 32 > material.bin
    //   aws secretsmanager create-secret --name byok/payments-material --secret-binary fileb://material.bin
    // The import handler reads it at deployment; the material never reaches the template.
    const material = secretsmanager.Secret.fromSecretNameV2(this, 'ByokMaterial', 'byok/payments-material');
    this.byokKey = new EncryptionKey(this, 'ByokKey', {
      description: 'Bring your own key: material imported from the HSM team',
      aliases: ['byok/payments'],
      administrators: [keyAdmins],
      importedKeyMaterial: {
        secret: material,
        expiration: Expiration.atDate(new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 1))),
      },
    });

    // Grants: each writes the key policy and the role's IAM policy.
    this.signingKey.grantSign(this.appRole);
    this.signingKey.grantGetPublicKey(this.appRole);
    this.tokenKey.grantSignVerify(this.appRole);
    this.macKey.grantGenerateMac(this.appRole);
    this.macKey.grantVerifyMac(this.appRole);
    this.byokKey.grantEncryptDecrypt(this.appRole);

    acknowledgeInlinePolicies(this.appRole);
  }
}

/**
 * The orders service's storage, all under the security team's keys: a bucket, an EBS volume, a
 * fleet launch template, the account's EBS default, a SecureString parameter and a secret.
 */
export class StorageStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps & { readonly keys: KeyStack }) {
    super(scope, id, props);
    const { dataKey } = props.keys;
    const worker = new iam.Role(this, 'OrdersWorker', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Processes orders: reads and writes the bucket, reads the database password',
    });
    acknowledgeInlinePolicies(worker);

    const orders = new EncryptedBucket(this, 'Orders', { encryptionKey: dataKey });
    orders.grantReadWrite(worker);
    const bucketId = this.resolve(this.getLogicalId(orders.bucket.node.defaultChild as s3.CfnBucket));
    Validations.of(worker).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`, reason: 'The worker handles every order object' });

    // EBS gets a key of its own: EBS encryption by default lets every principal of the account use
    // it through EC2, which the data key must not allow.
    const ebsKey = new EncryptionKey(this, 'EbsKey', { description: 'EBS volumes of the account in this Region', aliases: ['ebs/default'] });
    acknowledgeAll(orders.bucket, ['NIST.800.53.R5-S3BucketReplicationEnabled', 'HIPAA.Security-S3BucketReplicationEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled'],
      'Cross-Region replication of the orders bucket is out of scope of this example');

    const volume = new EncryptedVolume(this, 'Scratch', { availabilityZone: `${PRIMARY_REGION}a`, size: Size.gibibytes(50), encryptionKey: ebsKey });
    acknowledgeAll(volume, ['NIST.800.53.R5-EC2EBSInBackupPlan', 'HIPAA.Security-EC2EBSInBackupPlan'], 'Scratch space: rebuilt from S3, not backed up');
    Validations.of(volume).acknowledge({ id: 'CloudFormation-Validate::W3010', reason: 'The example pins one Availability Zone on purpose' });

    new ec2.LaunchTemplate(this, 'FleetTemplate', {
      blockDevices: [EncryptedBlockDevice.forAutoScaling(ebsKey, { deviceName: '/dev/xvda', size: Size.gibibytes(30) })],
      requireImdsv2: true,
    });

    new EbsEncryptionByDefault(this, 'EbsDefault', { encryptionKey: ebsKey });
    Validations.of(ebsKey).acknowledge({
      id: 'cdk-kms-patterns:ebsDefaultAccountAccess',
      reason: 'This key encrypts EBS volumes only: every principal of the account may use it through EC2, as with aws/ebs',
    });

    const dbPassword = new SecureStringParameter(this, 'DbPassword', {
      parameterName: '/orders/db/password',
      value: SecureStringValue.generated({ length: 40 }),
      encryptionKey: dataKey,
      description: 'Generated at deploy time; never in the template',
    });
    dbPassword.grantRead(worker);

    const apiSecret = new EncryptedSecret(this, 'ApiSecret', { encryptionKey: props.keys.secretsKey, description: 'Partner API credentials' });
    acknowledgeAll(apiSecret.secret, ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled'],
      'The partner rotates these credentials on its side, quarterly');
  }
}

/** Acknowledges findings on a construct and its children, with a reason. */
function acknowledgeAll(scope: Construct, ids: string[], reason: string): void {
  ids.forEach(id => Validations.of(scope).acknowledge({ id, reason }));
}

/** CDK grants write inline policies, each scoped to the granted resources. */
function acknowledgeInlinePolicies(role: iam.IRole): void {
  acknowledgeAll(role, ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy'],
    'CDK grants write one inline policy per role, each statement scoped to the granted key');
}

/**
 * The disaster-recovery Region: a replica of the data key with its own policy.
 */
export class ReplicaStack extends Stack {
  /** The replica. */
  public readonly replica: ReplicaKey;

  constructor(scope: Construct, id: string, props: StackProps & { readonly primary: EncryptionKey }) {
    super(scope, id, { ...props, crossRegionReferences: true });
    this.replica = new ReplicaKey(this, 'DataKeyReplica', {
      primaryKey: props.primary,
      aliases: ['orders/data'],
    });
  }
}

/**
 * A workload stack in the same account: its roles get grants on keys of the key stack, with no
 * circular dependency between the stacks.
 */
export class WorkloadStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps & { readonly keys: KeyStack }) {
    super(scope, id, props);
    const reporting = new iam.Role(this, 'ReportingRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Builds monthly reports from the orders data',
    });
    props.keys.dataKey.grantDecrypt(reporting);
    props.keys.signingKey.grantVerify(reporting);
    acknowledgeInlinePolicies(reporting);
  }
}

/**
 * The partner's account: its role decrypts data shared with it, in its own account.
 */
export class PartnerStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps & { readonly keys: KeyStack }) {
    super(scope, id, props);
    const importer = new iam.Role(this, 'ImporterRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Imports order exports shared by the security account',
    });
    props.keys.dataKey.grantDecrypt(importer);
    props.keys.tokenKey.grantVerify(importer);
    acknowledgeInlinePolicies(importer);
  }
}

/**
 * Builds every stack of the example into an app.
 */
export function buildExampleApp(app: App): Stack[] {
  const primaryEnv = { account: SECURITY_ACCOUNT, region: PRIMARY_REGION };
  const keys = new KeyStack(app, 'ExampleKeys', { env: primaryEnv });
  const replica = new ReplicaStack(app, 'ExampleKeysDr', { env: { account: SECURITY_ACCOUNT, region: REPLICA_REGION }, primary: keys.dataKey });
  const workload = new WorkloadStack(app, 'ExampleWorkload', { env: primaryEnv, keys });
  const partner = new PartnerStack(app, 'ExamplePartner', { env: { account: PARTNER_ACCOUNT, region: PRIMARY_REGION }, keys });
  const storage = new StorageStack(app, 'ExampleStorage', { env: primaryEnv, keys });
  const audit = new AuditStack(app, 'ExampleAudit', {
    env: primaryEnv,
    keys: [keys.dataKey, keys.signingKey, keys.tokenKey, keys.macKey, keys.byokKey, keys.secretsKey],
    aliasNames: ['orders/data', 'release/signing', 'auth/tokens', 'webhooks/mac', 'byok/payments', 'secrets/security'],
  });
  const snapshotForwarder = new SnapshotForwarderStack(app, 'ExampleSnapshotsForwarder', { env: primaryEnv, drRegion: REPLICA_REGION });
  const snapshotCopy = new SnapshotRegionCopyStack(app, 'ExampleSnapshotsDr', {
    env: { account: SECURITY_ACCOUNT, region: REPLICA_REGION },
    primaryRegion: PRIMARY_REGION,
  });
  const databasesDr = new DatabaseDrStack(app, 'ExampleDatabasesDr', { env: { account: SECURITY_ACCOUNT, region: REPLICA_REGION } });
  const databases = new DatabaseStack(app, 'ExampleDatabases', { env: primaryEnv, dr: databasesDr });
  const snapshotShare = new SnapshotShareSourceStack(app, 'ExampleSnapshotShare', {
    env: primaryEnv, partnerAccount: PARTNER_ACCOUNT, partnerDrRegion: REPLICA_REGION, warehouse: { cluster: databases.warehouse, key: databases.key },
  });
  const snapshotReceive = new SnapshotShareTargetStack(app, 'ExampleSnapshotReceive', {
    env: { account: PARTNER_ACCOUNT, region: PRIMARY_REGION },
    sourceAccount: SECURITY_ACCOUNT,
  });
  const snapshotReceiveDr = new SnapshotShareTargetDrStack(app, 'ExampleSnapshotReceiveDr', {
    env: { account: PARTNER_ACCOUNT, region: REPLICA_REGION },
    sourceAccount: SECURITY_ACCOUNT,
    sourceRegion: PRIMARY_REGION,
  });
  // The warehouse's snapshot copies in the DR Region, shared there with the partner (its ReceiveDr stack restores them).
  const warehouseCopyShare = new RedshiftCopyShareStack(app, 'ExampleWarehouseCopyShare', {
    env: { account: SECURITY_ACCOUNT, region: REPLICA_REGION },
    copyGrant: databasesDr.copyGrant,
    clusterIdentifier: databases.warehouse.clusterIdentifier,
    partnerAccount: PARTNER_ACCOUNT,
  });
  return [keys, replica, workload, partner, storage, audit, snapshotForwarder, snapshotCopy, databasesDr, databases, snapshotShare, snapshotReceive,
    snapshotReceiveDr, warehouseCopyShare];
}

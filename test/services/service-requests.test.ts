/**
 * Can the AWS services really use the keys the constructs create? Every KMS request the service
 * request model (test/harness/service-requests.ts, from AWS's documentation) says a service makes
 * for a resource is simulated against the synthesized templates: at deployment (the stack's
 * CloudFormation execution role), in use (each declared reader, writer, attacher, rotation
 * function), by the service principals themselves; and the same requests by principals nobody
 * declared (of the account and of another account), which must be denied.
 *
 * No row is written here: each test only says which resource, which services, which flags and who
 * does what (see test/harness/service-access.ts).
 *
 * Rows tagged [PRODUCT-BUG ...] (PRODUCT_BUGS below) fail against the current library: service
 * requests AWS documents that the key policies deny. They stay strict and failing until the
 * library is fixed.
 */
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import {
  EbsEncryptionByDefault, EncryptedBlockDevice, EncryptedBucket, EncryptedSecret, EncryptedVolume, EncryptionKey,
  SecureStringParameter, SecureStringValue,
} from '../../src';
import {
  AccountAccess, defineServiceChecks, deployer, DOCUMENTED_ACCOUNT_ACCESS, documentedAccountAccess, EncryptedResource, keyDeploymentRows,
  KnownProductBug, ServiceAccessRow, ServiceAccessStats, serviceAccessRows,
} from '../harness/service-access';
import { PolicyWorld } from '../harness/simulate';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const ENV = { account: ACCOUNT, region: REGION };
const stats = new ServiceAccessStats();

/**
 * Known product bugs: model rows the current library denies although AWS documents them. Matching
 * rows and tests get a [PRODUCT-BUG <id>] tag; their expectation is untouched, so they fail until
 * the library is fixed. Remove an entry when its rows pass.
 */
const PRODUCT_BUGS: KnownProductBug[] = [];

function checks(world: PolicyWorld, rows: ServiceAccessRow[]): void {
  defineServiceChecks(world, rows, stats, PRODUCT_BUGS);
}

function lambdaRole(scope: Stack, id: string): iam.Role {
  return new iam.Role(scope, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
}

function resourceOf(stack: Stack, spec: Omit<EncryptedResource, 'account' | 'region'>): EncryptedResource {
  return { account: stack.account, region: stack.region, ...spec };
}

afterAll(() => {
  // The figures the lead asked for: requests simulated, and how many undeclared ones were denied.
  console.log(stats.summary('test/services/service-requests.test.ts'));
});

describe('EncryptedBucket', () => {
  const app = new App();
  const stack = new Stack(app, 'Buckets', { env: ENV });
  const withBucketKey = new EncryptedBucket(stack, 'Data');
  const withoutBucketKey = new EncryptedBucket(stack, 'Raw', { bucketKeyEnabled: false });
  const reader = lambdaRole(stack, 'Reader');
  const writer = lambdaRole(stack, 'Writer');
  for (const bucket of [withBucketKey, withoutBucketKey]) {
    bucket.grantRead(reader);
    bucket.grantWrite(writer);
  }
  app.synth();
  const world = PolicyWorld.fromStacks([stack]);

  const rows = [[withBucketKey, ['bucketKey']], [withoutBucketKey, []]].flatMap(([bucket, flags]) => {
    const b = bucket as EncryptedBucket;
    const bucketArn = world.resolve(b.bucket.bucketArn, b.bucket) as string;
    return serviceAccessRows(world, resourceOf(stack, {
      label: `EncryptedBucket ${b.node.path}`,
      key: b.encryptionKey,
      services: ['s3'],
      flags: flags as string[],
      facts: { bucketArn, objectArn: `${bucketArn}/reports/2026/11.csv` },
      actors: [
        deployer(stack),
        { label: 'grantRead reader', principal: reader, steps: ['read'] },
        { label: 'grantWrite writer', principal: writer, steps: ['write'] },
      ],
    }));
  });
  checks(world, [...rows, ...keyDeploymentRows(world)]);
});

describe('EncryptedVolume', () => {
  const app = new App();
  const stack = new Stack(app, 'Volumes', { env: ENV });
  const volume = new EncryptedVolume(stack, 'Scratch', { availabilityZone: `${REGION}a`, size: Size.gibibytes(20) });
  const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  volume.grantAttachVolume(operator);
  app.synth();
  const world = PolicyWorld.fromStacks([stack]);
  // The construct's documented promise: "principals of the account may create volumes under the key
  // through EC2 (DescribeKey, GenerateDataKeyWithoutPlaintext), never read them" (its
  // cdk-kms-patterns:accountWideGrant acknowledgement, from aws-cdk-lib's ec2.Volume).
  const accountAccess: AccountAccess[] = [{
    via: 'ec2',
    operations: ['kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext'],
    source: 'EncryptedVolume documentation: the account may create volumes through EC2',
  }];
  const rows = serviceAccessRows(world, resourceOf(stack, {
    label: `EncryptedVolume ${volume.node.path}`,
    key: volume.encryptionKey,
    services: ['ebs'],
    facts: { volumeId: world.resolve(volume.volume.volumeId, volume.volume) as string },
    actors: [
      deployer(stack, ['create']),
      { label: 'grantAttachVolume principal', principal: operator, steps: ['attach'] },
    ],
  }), { accountAccess });
  checks(world, [...rows, ...keyDeploymentRows(world)]);
});

describe('EncryptedBlockDevice', () => {
  const app = new App();
  const stack = new Stack(app, 'Fleet', { env: ENV });
  const fleetKey = new EncryptionKey(stack, 'FleetKey');
  new ec2.LaunchTemplate(stack, 'AutoScalingTemplate', {
    blockDevices: [EncryptedBlockDevice.forAutoScaling(fleetKey, { deviceName: '/dev/xvda', size: Size.gibibytes(30) })],
  });
  const launcherKey = new EncryptionKey(stack, 'LauncherKey');
  const launcher = lambdaRole(stack, 'Launcher');
  new ec2.LaunchTemplate(stack, 'LauncherTemplate', {
    blockDevices: [EncryptedBlockDevice.forLauncher(launcherKey, launcher, { deviceName: '/dev/sdf', size: Size.gibibytes(8) })],
  });
  app.synth();
  const world = PolicyWorld.fromStacks([stack]);
  const launched = { volumeId: 'vol-0123456789abcdef0' };
  checks(world, [
    ...serviceAccessRows(world, resourceOf(stack, {
      label: 'EncryptedBlockDevice.forAutoScaling Fleet/AutoScalingTemplate',
      key: fleetKey,
      services: ['autoscaling'],
      facts: launched,
      actors: [deployer(stack)],
    })),
    ...serviceAccessRows(world, resourceOf(stack, {
      label: 'EncryptedBlockDevice.forLauncher Fleet/LauncherTemplate',
      key: launcherKey,
      services: ['ebs'],
      facts: launched,
      actors: [{ label: 'launcher (RunInstances)', principal: launcher, steps: ['create'] }],
    })),
    ...keyDeploymentRows(world),
  ]);
});

describe('EbsEncryptionByDefault', () => {
  const app = new App();
  const stack = new Stack(app, 'EbsDefault', { env: ENV });
  const key = new EncryptionKey(stack, 'EbsKey');
  new EbsEncryptionByDefault(stack, 'Default', { encryptionKey: key });
  app.synth();
  const world = PolicyWorld.fromStacks([stack]);
  // Every new volume and snapshot copy of the account and Region uses the key, by any principal,
  // Auto Scaling launches included; the construct promises the account what AWS's aws/ebs gives it.
  const accountAccess = [documentedAccountAccess(DOCUMENTED_ACCOUNT_ACCESS.ebsUsers,
    'EbsEncryptionByDefault documentation: every principal of the account through EC2, as the AWS managed aws/ebs key does')];
  checks(world, [
    ...serviceAccessRows(world, resourceOf(stack, {
      label: 'EbsEncryptionByDefault EbsDefault/Default',
      key,
      services: ['ebs', 'autoscaling'],
      flags: ['copyDestination'],
      facts: { volumeId: 'vol-0123456789abcdef0', snapshotId: 'snap-0123456789abcdef0' },
      actors: [deployer(stack, ['create', 'attach', 'copy'])],
    }), { accountAccess }),
    ...keyDeploymentRows(world),
  ]);
});

describe('SecureStringParameter', () => {
  const app = new App();
  const stack = new Stack(app, 'Parameters', { env: ENV });
  const key = new EncryptionKey(stack, 'Key');
  const standard = new SecureStringParameter(stack, 'Standard', { parameterName: '/orders/db/password', value: SecureStringValue.generated(), encryptionKey: key });
  const advanced = new SecureStringParameter(stack, 'Advanced', {
    parameterName: '/orders/api/token', value: SecureStringValue.generated({ length: 64 }), encryptionKey: key, tier: ssm.ParameterTier.ADVANCED,
  });
  const reader = lambdaRole(stack, 'Reader');
  standard.grantRead(reader);
  advanced.grantRead(reader);
  app.synth();
  const world = PolicyWorld.fromStacks([stack]);
  const handlerRole = stack.node.findChild('CdkKmsPatternsSecureStringParameterProvider').node.findChild('Role');
  const rows = [[standard, []], [advanced, ['advancedTier']]].flatMap(([parameter, flags]) => {
    const p = parameter as SecureStringParameter;
    return serviceAccessRows(world, resourceOf(stack, {
      label: `SecureStringParameter ${p.node.path}`,
      key: p.encryptionKey,
      services: ['ssm'],
      flags: flags as string[],
      facts: { parameterArn: world.resolve(p.parameterArn, p) as string },
      actors: [
        // The custom resource handler creates the parameter, and on updates reads the old value
        // (GetParameter WithDecryption) and overwrites it.
        { label: 'custom resource handler', principal: handlerRole, steps: ['create', 'write', 'read'] },
        { label: 'grantRead reader', principal: reader, steps: ['read'] },
      ],
    }));
  });
  checks(world, [...rows, ...keyDeploymentRows(world)]);
});

describe('EncryptedSecret', () => {
  const app = new App();
  const stack = new Stack(app, 'Secrets', { env: ENV });
  const secret = new EncryptedSecret(stack, 'Db');
  const reader = lambdaRole(stack, 'Reader');
  const writer = lambdaRole(stack, 'Writer');
  secret.grantRead(reader);
  secret.grantWrite(writer);
  const rotator = new lambda.Function(stack, 'Rotator', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });
  secret.secret.addRotationSchedule('Rotation', { rotationLambda: rotator, automaticallyAfter: Duration.days(30) });
  app.synth();
  const world = PolicyWorld.fromStacks([stack]);
  // aws-cdk-lib's Secret lets the whole account use its key through Secrets Manager (the construct
  // acknowledges it): what AWS's aws/secretsmanager key policy gives the account.
  const accountAccess = [documentedAccountAccess(DOCUMENTED_ACCOUNT_ACCESS.secretsManagerAccount,
    'EncryptedSecret documentation: the account may use the key through Secrets Manager only')];
  checks(world, [
    ...serviceAccessRows(world, resourceOf(stack, {
      label: 'EncryptedSecret Secrets/Db',
      key: secret.encryptionKey,
      services: ['secretsmanager'],
      facts: {
        secretArn: world.resolve(secret.secret.secretArn, secret.secret) as string,
        secretVersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987SECRET1',
        pendingVersionId: 'EXAMPLE2-90ab-cdef-fedc-ba987SECRET2',
      },
      actors: [
        deployer(stack, ['create']),
        { label: 'grantRead reader', principal: reader, steps: ['read'] },
        { label: 'grantWrite writer', principal: writer, steps: ['write'] },
        { label: 'rotation function', principal: rotator.role!, steps: ['rotate'] },
      ],
    }), { accountAccess }),
    ...keyDeploymentRows(world),
  ]);
});

describe('EncryptionKey service access (allowCloudWatchLogs, allowCloudTrail, allowEventBridge, allowAutoScaling)', () => {
  const app = new App();
  const stack = new Stack(app, 'Audit', { env: ENV });
  const logsKey = new EncryptionKey(stack, 'LogsKey');
  logsKey.allowCloudWatchLogs();
  const trailKey = new EncryptionKey(stack, 'TrailKey');
  trailKey.allowCloudTrail({ trailArn: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/audit` });
  const busKey = new EncryptionKey(stack, 'BusKey');
  busKey.allowEventBridge();
  const fleetKey = new EncryptionKey(stack, 'FleetKey');
  fleetKey.allowAutoScaling();
  app.synth();
  const world = PolicyWorld.fromStacks([stack]);
  checks(world, [
    ...serviceAccessRows(world, resourceOf(stack, {
      label: 'allowCloudWatchLogs Audit/LogsKey',
      key: logsKey,
      services: ['logs'],
      facts: { logGroupArn: 'arn:aws:logs:{region}:{account}:log-group:/app/orders' },
      actors: [],
    })),
    ...serviceAccessRows(world, resourceOf(stack, {
      label: 'allowCloudTrail Audit/TrailKey',
      key: trailKey,
      services: ['cloudtrail'],
      facts: { trailArn: 'arn:aws:cloudtrail:{region}:{account}:trail/audit' },
      actors: [],
    })),
    ...serviceAccessRows(world, resourceOf(stack, {
      label: 'allowEventBridge Audit/BusKey',
      key: busKey,
      services: ['events'],
      facts: { eventBusArn: 'arn:aws:events:{region}:{account}:event-bus/orders' },
      actors: [],
    })),
    ...serviceAccessRows(world, resourceOf(stack, {
      label: 'allowAutoScaling Audit/FleetKey',
      key: fleetKey,
      services: ['autoscaling'],
      facts: { volumeId: 'vol-0123456789abcdef0' },
      actors: [],
    })),
    ...keyDeploymentRows(world),
  ]);
});

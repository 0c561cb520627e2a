/**
 * aws-cdk-lib interop, compute, databases and DNS: an `EncryptionKey` given to ecs.Cluster /
 * FargateService (execute command), rds.DatabaseInstance (storage encryption) and
 * route53.PublicHostedZone.enableDnssec (an ECC_NIST_P256 SIGN_VERIFY key in us-east-1).
 *
 * ECS execute command is the known case of aws-cdk-lib asking for more than a least-privilege key
 * can give: `ecs.Cluster` calls `key.addToResourcePolicy` with the account root and `kms:*`. The
 * library refuses it at synth with an error naming the statement, the construct that asked and the
 * opt-in `allowAccountWideStatements: true`; with the opt-in it keeps the statement narrowed to
 * explicit cryptographic actions, never `kms:*` and never administration, with a warning.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  ACCEPTABLE_ACCOUNT_WIDE_ACTIONS, ACCOUNT, ADMIN_ACTIONS, ALL_ACTIONS, ALLOW_ALL, allowed, actionsNamedFor, cfnExecRole, denied,
  fixture, GRANT_FOR_AWS_RESOURCE, KMS_ALL, keyPolicyViolations, MUTATING_ADMIN_ACTIONS, once, OTHER_ACCOUNT, outsiderRows, synthWorld,
  via, warnings,
} from './interop';
import { expectAccess } from '../harness/simulate';

function isolatedVpc(scope: Construct): ec2.Vpc {
  return new ec2.Vpc(scope, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
}

describe('ecs.Cluster executeCommandConfiguration.kmsKey with a FargateService enableExecuteCommand', () => {
  function build(allowAccountWideStatements?: boolean) {
    const f = fixture(allowAccountWideStatements === undefined ? {} : { allowAccountWideStatements });
    const cluster = new ecs.Cluster(f.stack, 'Cluster', {
      vpc: isolatedVpc(f.stack),
      executeCommandConfiguration: { kmsKey: f.key, logging: ecs.ExecuteCommandLogging.DEFAULT },
    });
    const taskDefinition = new ecs.FargateTaskDefinition(f.stack, 'Task');
    taskDefinition.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:latest') });
    new ecs.FargateService(f.stack, 'Service', {
      cluster,
      taskDefinition,
      enableExecuteCommand: true,
      minHealthyPercent: 100,
      circuitBreaker: { rollback: true },
    });
    return { ...f, taskDefinition, world: synthWorld(f) };
  }

  test('without allowAccountWideStatements, synth fails naming the statement, the construct that asked and the opt-in', () => {
    let error: Error | undefined;
    try {
      build();
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeDefined();
    const message = error!.message;
    expect(message).toMatch(/kms:\*/); // the statement as asked
    expect(message).toMatch(/root|whole account/); // for the account root
    expect(message).toMatch(/aws-ecs|aws_ecs|ecs\.Cluster/); // who asked
    expect(message).toMatch(/allowAccountWideStatements: true/); // the opt-in
  });

  describe('with allowAccountWideStatements: true', () => {
    const built = once(() => build(true));

    test('synthesizes with a warning, and the key policy follows the rules', () => {
      const { world, key, stack } = built();
      expect(warnings(stack, /allowAccountWideStatements/)).not.toEqual([]);
      expect(keyPolicyViolations(world, key)).toEqual([]);
    });

    test('the account-wide statement is narrowed to explicit cryptographic actions', () => {
      const { world, key } = built();
      const actions = actionsNamedFor(world, key, `arn:aws:iam::${ACCOUNT}:root`);
      expect(actions).not.toEqual([]);
      expect(actions).not.toContain('kms:*');
      expect(actions.filter(a => !ACCEPTABLE_ACCOUNT_WIDE_ACTIONS.includes(a))).toEqual([]);
    });

    test('the task role can open an encrypted execute-command session', async () => {
      const { world, key, taskDefinition } = built();
      // "The task IAM role needs kms:Decrypt" for the data channel encrypted with your key.
      // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html
      await expectAccess(world, [
        ...allowed('task role, session data channel', taskDefinition.taskRole, key, ['kms:Decrypt'], {}),
        ...denied('task role administers', taskDefinition.taskRole, key, MUTATING_ADMIN_ACTIONS, {}),
      ]);
    });

    test('undeclared principals of the account get no administration, other accounts nothing', async () => {
      const { world, key } = built();
      const undeclared = `arn:aws:iam::${ACCOUNT}:role/Undeclared`;
      await expectAccess(world, [
        ...denied('undeclared with kms:*, administration', undeclared, key, ADMIN_ACTIONS.filter(a => a !== 'kms:DescribeKey'), {}, [KMS_ALL]),
        ...denied('undeclared with kms:*, a grant not for an AWS resource', undeclared, key, ['kms:CreateGrant'],
          { 'kms:GrantIsForAWSResource': 'false' }, [KMS_ALL]),
        ...outsiderRows(key, { who: 'other-account', services: ['ssmmessages', 'logs'] }),
      ]);
    });
  });
});

describe('rds.DatabaseInstance with storageEncryptionKey', () => {
  const built = once(() => {
    const f = fixture();
    new rds.DatabaseInstance(f.stack, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc: isolatedVpc(f.stack),
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      storageEncryptionKey: f.key,
    });
    return { ...f, world: synthWorld(f) };
  });

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  test('CloudFormation can create the instance (execution role, through RDS)', async () => {
    const { world, key } = built();
    // "To use a KMS key for encryption, the user creating the DB instance needs kms:CreateGrant and
    // kms:DescribeKey"; RDS then works under the grant it created.
    // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html
    await expectAccess(world, [
      ...allowed('execution role, CreateDBInstance', cfnExecRole(), key, ['kms:DescribeKey'], via('rds'), [ALLOW_ALL]),
      ...allowed('execution role, CreateDBInstance grant', cfnExecRole(), key, ['kms:CreateGrant'], { ...via('rds'), ...GRANT_FOR_AWS_RESOURCE }, [ALLOW_ALL]),
    ]);
  });

  test('undeclared principals and other accounts gain nothing', async () => {
    const { world, key } = built();
    await expectAccess(world, outsiderRows(key, { services: ['rds'] }));
  });
});

describe('route53.PublicHostedZone.enableDnssec with an ECC_NIST_P256 EncryptionKey', () => {
  // The key must be an ECC_NIST_P256 SIGN_VERIFY key in us-east-1; Route 53 DNSSEC uses it as
  // dnssec-route53.amazonaws.com: kms:DescribeKey, kms:GetPublicKey and kms:Sign on behalf of a
  // hosted zone (aws:SourceAccount, aws:SourceArn), and kms:CreateGrant for AWS resources.
  // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-configuring-dnssec-cmk-requirements.html
  const REGION = 'us-east-1';
  const built = once(() => {
    const f = fixture({ keySpec: kms.KeySpec.ECC_NIST_P256, keyUsage: kms.KeyUsage.SIGN_VERIFY }, REGION);
    const zone = new route53.PublicHostedZone(f.stack, 'Zone', { zoneName: 'example.com' });
    zone.enableDnssec({ kmsKey: f.key });
    const world = synthWorld(f);
    return { ...f, zone, world, zoneArn: world.resolve(zone.hostedZoneArn, f.stack) as string };
  });
  const DNSSEC = 'dnssec-route53.amazonaws.com';

  test('synthesizes, and the key policy follows the rules', () => {
    const { world, key } = built();
    expect(keyPolicyViolations(world, key)).toEqual([]);
  });

  test('Route 53 can sign for the zone and create its grant', async () => {
    const { world, key, zoneArn } = built();
    const source = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': zoneArn };
    await expectAccess(world, [
      ...allowed('Route 53 DNSSEC, key-signing key', DNSSEC, key, ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:Sign'], source),
      ...allowed('Route 53 DNSSEC, grant', DNSSEC, key, ['kms:CreateGrant'], { ...source, ...GRANT_FOR_AWS_RESOURCE }),
      ...denied('Route 53 DNSSEC, grant not for an AWS resource', DNSSEC, key, ['kms:CreateGrant'], { ...source, 'kms:GrantIsForAWSResource': 'false' }),
    ]);
  });

  test('Route 53 acting for a zone of another account gets nothing', async () => {
    const { world, key } = built();
    const foreign = { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': 'arn:aws:route53:::hostedzone/Z0OTHERACCOUNTZONE' };
    await expectAccess(world, [
      ...denied('Route 53 DNSSEC, zone of another account', DNSSEC, key, ALL_ACTIONS, foreign),
      ...denied('Route 53 DNSSEC, grant for a zone of another account', DNSSEC, key, ['kms:CreateGrant'], { ...foreign, ...GRANT_FOR_AWS_RESOURCE }),
    ]);
  });

  test('undeclared principals and other accounts gain nothing', async () => {
    const { world, key } = built();
    await expectAccess(world, outsiderRows(key, { services: ['route53'], region: REGION }));
  });
});

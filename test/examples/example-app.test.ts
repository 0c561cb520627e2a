/**
 * The example app (the README's main job) synthesizes cleanly: cfn-lint finds no error in any
 * template, the cdk-nag packs find nothing unacknowledged, the key access report is written, and
 * the README's who-can-do-what table of the data key holds under simulation.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp, KeyStack, PARTNER_ACCOUNT, PRIMARY_REGION, SECURITY_ACCOUNT } from '../../examples/app';
import { expectNoCfnLintErrors } from '../harness/cfn-lint';
import { nagFindings, formatFindings } from '../harness/compliance';
import { AccessRow, ContextValues, expectAccess, PolicyWorld } from '../harness/simulate';

const KMS_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
const VIA_S3 = { 'kms:ViaService': `s3.${PRIMARY_REGION}.amazonaws.com` };

describe('the example app', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-'));
  const app = new App({ outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
  const stacks = buildExampleApp(app);
  app.synth();
  const keys = stacks[0] as KeyStack;

  test('synthesizes fourteen stacks in two accounts and two Regions', () => {
    expect(stacks.map(s => `${s.stackName}:${s.account}:${s.region}`)).toEqual([
      'ExampleKeys:111111111111:eu-west-1',
      'ExampleKeysDr:111111111111:us-east-1',
      'ExampleWorkload:111111111111:eu-west-1',
      'ExamplePartner:222222222222:eu-west-1',
      'ExampleStorage:111111111111:eu-west-1',
      'ExampleAudit:111111111111:eu-west-1',
      'ExampleSnapshotsForwarder:111111111111:eu-west-1',
      'ExampleSnapshotsDr:111111111111:us-east-1',
      'ExampleDatabasesDr:111111111111:us-east-1',
      'ExampleDatabases:111111111111:eu-west-1',
      'ExampleSnapshotShare:111111111111:eu-west-1',
      'ExampleSnapshotReceive:222222222222:eu-west-1',
      'ExampleSnapshotReceiveDr:222222222222:us-east-1',
      'ExampleWarehouseCopyShare:111111111111:us-east-1',
    ]);
    const storage = Template.fromStack(stacks[4]);
    storage.resourceCountIs('Custom::SecureStringParameter', 1);
    storage.resourceCountIs('Custom::EbsEncryptionByDefault', 1);
    storage.resourceCountIs('AWS::EC2::Volume', 1);
    storage.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const template = Template.fromStack(keys);
    template.resourceCountIs('AWS::KMS::Key', 6);
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY' });
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    template.hasResourceProperties('AWS::KMS::Key', { Origin: 'EXTERNAL' });
    template.hasResourceProperties('AWS::KMS::Key', { MultiRegion: true, EnableKeyRotation: true });
    Template.fromStack(stacks[1]).resourceCountIs('AWS::KMS::ReplicaKey', 1);
  });

  test('cfn-lint finds no error in any template', () => {
    expectNoCfnLintErrors(outdir);
  });

  test('the cdk-nag packs find nothing unacknowledged', () => {
    const findings = stacks.flatMap(stack => nagFindings(stack, { synthesize: false }));
    if (findings.length > 0) {
      throw new Error(formatFindings(findings));
    }
  });

  test('the key access report is written next to the templates', () => {
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'key-access-report.json'), 'utf8'));
    expect(report.keys.map((k: any) => k.path)).toEqual(expect.arrayContaining(['ExampleKeys/DataKey', 'ExampleKeysDr/DataKeyReplica']));
    // every customer managed key of the app, each $1 a month: the six of the key stack, the replica, the EBS key and
    // one per audit, database, snapshot share and copy stack, and the Region copy schedule's
    expect(report.keys.map((k: any) => k.path).sort()).toEqual([
      'ExampleAudit/Trail/Key', 'ExampleDatabases/DatabaseKey', 'ExampleDatabasesDr/WarehouseCopyKey',
      'ExampleKeys/ByokKey', 'ExampleKeys/DataKey', 'ExampleKeys/MacKey', 'ExampleKeys/SecretsKey', 'ExampleKeys/SigningKey',
      'ExampleKeys/TokenKey', 'ExampleKeysDr/DataKeyReplica', 'ExampleSnapshotReceive/CopyKey', 'ExampleSnapshotReceiveDr/CopyKey', 'ExampleSnapshotShare/ShareKey',
      'ExampleSnapshotsDr/DrSnapshotKey', 'ExampleSnapshotsForwarder/HourlyToDr/Key', 'ExampleStorage/EbsKey',
    ]);
    expect(report.cost.keys).toBe(16);
    expect(report.cost.monthlyUsd).toBe(16);
    const markdown = fs.readFileSync(path.join(outdir, 'key-access-report.md'), 'utf8');
    expect(markdown).toContain('## ExampleKeys/DataKey');
    expect(markdown).toContain('| principal | can | when | statement |');
    // conditions read as sentences, not JSON; the library's recipes are shown by name with their capabilities
    expect(markdown).toContain('kms:ViaService = s3.eu-west-1.amazonaws.com');
    expect(markdown).toMatch(/\| ENVELOPE, [^|]*\| [^|]*\| AutoScalingServiceLinkedRole \|/);
    expect(markdown).not.toContain('hand-written statement');
  });

  test('the README\'s who-can-do-what table of the data key holds', async () => {
    const world = PolicyWorld.fromStacks(stacks);
    const key = keys.dataKey;
    const tag = (Template.fromStack(keys).toJSON().Resources[keys.getLogicalId(key.cfnKey)].Properties.Tags as any[])
      .find(t => t.Key === 'cdk-kms-patterns:key').Value;
    const admin = keys.node.findChild('KeyAdmins');
    const reporting = stacks[2].node.findChild('ReportingRole');
    const importer = stacks[3].node.findChild('ImporterRole');
    const rows: AccessRow[] = [
      { label: 'KeyAdmins administer', principal: admin, key, action: ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:EnableKeyRotation'], expect: 'allow' },
      { label: 'KeyAdmins use', principal: admin, key, action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant'], context: VIA_S3, expect: 'deny' },
      { label: 'AppRole through S3', principal: keys.appRole, key, action: ['kms:GenerateDataKey', 'kms:Decrypt'], context: VIA_S3, expect: 'allow' },
      { label: 'AppRole directly', principal: keys.appRole, key, action: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt'], expect: 'deny' },
      { label: 'AppRole administers', principal: keys.appRole, key, action: ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'], expect: 'deny' },
      { label: 'analytics through S3', principal: `arn:aws:iam::${SECURITY_ACCOUNT}:role/analytics/daily`, key, action: 'kms:Decrypt', context: VIA_S3, extraIdentityPolicies: [KMS_ALL], expect: 'allow' },
      { label: 'analytics through S3 without its own IAM allow', principal: `arn:aws:iam::${SECURITY_ACCOUNT}:role/analytics/daily`, key, action: 'kms:Decrypt', context: VIA_S3, expect: 'deny' },
      { label: 'analytics directly', principal: `arn:aws:iam::${SECURITY_ACCOUNT}:role/analytics/daily`, key, action: ['kms:Decrypt', 'kms:Encrypt'], extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      { label: 'ReportingRole', principal: reporting, key, action: 'kms:Decrypt', expect: 'allow' },
      { label: 'ReportingRole encrypt', principal: reporting, key, action: 'kms:Encrypt', expect: 'deny' },
      { label: 'ImporterRole', principal: importer, key, action: 'kms:Decrypt', context: { 'aws:ResourceTag/cdk-kms-patterns:key': tag }, expect: 'allow' },
      { label: 'ImporterRole encrypt', principal: importer, key, action: 'kms:Encrypt', context: { 'aws:ResourceTag/cdk-kms-patterns:key': tag }, expect: 'deny' },
      { label: 'partner principal with kms:*', principal: `arn:aws:iam::${PARTNER_ACCOUNT}:role/Other`, key, action: 'kms:Decrypt', extraIdentityPolicies: [KMS_ALL], expect: 'deny' },
      ...['none', 's3', 'secretsmanager', 'ec2'].map(via => ({
        label: `undeclared with kms:* (${via})`,
        principal: `arn:aws:iam::${SECURITY_ACCOUNT}:role/Undeclared`,
        key,
        action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:PutKeyPolicy', 'kms:CreateGrant', 'kms:ScheduleKeyDeletion'],
        context: (via === 'none' ? {} : { 'kms:ViaService': `${via}.${PRIMARY_REGION}.amazonaws.com` }) as ContextValues,
        extraIdentityPolicies: [KMS_ALL],
        expect: 'deny' as const,
      })),
    ];
    await expectAccess(world, rows);
  });
});

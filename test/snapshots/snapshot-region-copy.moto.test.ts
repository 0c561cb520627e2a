/**
 * The same-account cross-Region EBS copy, end to end against a moto server (moto's Step Functions
 * executes the synthesized definition with real boto3 calls into its EC2, SSM, KMS and SNS): the
 * copy lands in us-east-1 under the destination key, tagged and numbered; the workflow's own copy
 * 7 sequences back is pruned; another copier's snapshot, the user's and the source are kept.
 *
 * Test-side adjustments (never in the product), VERIFY.md's moto 5.2.x quirks: waits shortened to
 * 1 second (the product waits at least a minute); the execution is named; its status is read with
 * ListExecutions because DescribeExecution breaks on the timestamps in the state output; one
 * execution per server (a second StartExecution crashes 5.2.1); moto's Step Functions reaches the
 * services at localhost:$MOTO_PORT, so the server runs on that port. Policies are not enforced by
 * moto: this proves API wiring, not least privilege (the key policy simulation does that).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { SnapshotRegionCopy, SnapshotType } from '../../src';
import { toBotocoreNames } from '../harness/sdk-models';
import { extractDefinition } from '../harness/state-machine';

const SCRIPT = `import json, sys, time
import boto3
sys.path.insert(0, ${JSON.stringify(__dirname)})
from moto_server import client_args, start_moto
server, url = start_moto()
kw = client_args(url)
src_ec2 = boto3.client("ec2", region_name="eu-west-1", **kw)
dst_ec2 = boto3.client("ec2", region_name="us-east-1", **kw)
kms_src = boto3.client("kms", region_name="eu-west-1", **kw)
kms_dst = boto3.client("kms", region_name="us-east-1", **kw)
ssm = boto3.client("ssm", region_name="us-east-1", **kw)
sns = boto3.client("sns", region_name="us-east-1", **kw)
sfn = boto3.client("stepfunctions", region_name="us-east-1", **kw)

definition = open(sys.argv[1]).read()
src_key = kms_src.create_key()["KeyMetadata"]["Arn"]
dst_key = kms_dst.create_key()["KeyMetadata"]["Arn"]
vol = src_ec2.create_volume(AvailabilityZone="eu-west-1a", Size=8, Encrypted=True, KmsKeyId=src_key)
snap = src_ec2.create_snapshot(VolumeId=vol["VolumeId"])["SnapshotId"]
# A copy this workflow made 7 copies ago (sequence 1 - 7 = -6): pruned. Another copier's and a user's: kept.
def tagged_snapshot(tags):
    v = dst_ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)
    sid = dst_ec2.create_snapshot(VolumeId=v["VolumeId"])["SnapshotId"]
    if tags:
        dst_ec2.create_tags(Resources=[sid], Tags=[{"Key": k, "Value": val} for k, val in tags.items()])
    return sid
expired = tagged_snapshot({"cdk-kms-patterns:snapshot-region-copy": "dr", "cdk-kms-patterns:copy-sequence": "-6"})
others = [tagged_snapshot({"cdk-kms-patterns:snapshot-region-copy": "other", "cdk-kms-patterns:copy-sequence": "-6"}), tagged_snapshot({"Name": "mine"})]
ssm.put_parameter(Name="/cdk-kms-patterns/snapshot-region-copy/dr/EBS_SNAPSHOT", Value="0", Type="String")
topic = sns.create_topic(Name="failures")["TopicArn"]
definition = definition.replace("arn:aws:kms:us-east-1:123456789012:key/CopyKeyBC7A318D", dst_key)
definition = definition.replace("arn:aws:sns:us-east-1:123456789012:CopyFailuresEE3A1E8B", topic)
sm = sfn.create_state_machine(name="copy", definition=definition, roleArn="arn:aws:iam::123456789012:role/copy")["stateMachineArn"]
ex = sfn.start_execution(stateMachineArn=sm, name="run-1", input=json.dumps({"snapshotType": "EBS", "sourceSnapshotId": snap}))["executionArn"]
for _ in range(120):
    # DescribeExecution breaks on the timestamps in the state output (moto 5.2.x): ListExecutions has the status
    d = [e for e in sfn.list_executions(stateMachineArn=sm)["executions"] if e["executionArn"] == ex][0]
    if d["status"] != "RUNNING":
        break
    time.sleep(0.5)
try:
    hist = sfn.get_execution_history(executionArn=ex)["events"]
except Exception as e:
    hist = []
copies = dst_ec2.describe_snapshots(OwnerIds=["self"], Filters=[{"Name": "tag:cdk-kms-patterns:snapshot-region-copy", "Values": ["dr"]}])["Snapshots"]
remaining = {s["SnapshotId"] for s in dst_ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}
sources = {s["SnapshotId"] for s in src_ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}
print(json.dumps({"status": d["status"], "error": d.get("error"), "cause": d.get("cause"), "sourceSnapshot": snap, "destKey": dst_key,
  "copies": [{"id": c["SnapshotId"], "kms": c.get("KmsKeyId"), "encrypted": c.get("Encrypted"), "tags": c.get("Tags", [])} for c in copies],
  "sequence": ssm.get_parameter(Name="/cdk-kms-patterns/snapshot-region-copy/dr/EBS_SNAPSHOT")["Parameter"]["Value"],
  "expiredKept": expired in remaining, "othersKept": all(o in remaining for o in others), "sourceKept": snap in sources,
  "types": [e["type"] for e in hist]}, default=str))
server.stop()
`;

interface MotoResult {
  readonly status: string;
  readonly error: string | null;
  readonly sourceSnapshot: string;
  readonly destKey: string;
  readonly copies: Array<{ id: string; kms: string; encrypted: boolean; tags: Array<{ Key: string; Value: string }> }>;
  readonly sequence: string;
  readonly expiredKept: boolean;
  readonly othersKept: boolean;
  readonly sourceKept: boolean;
  readonly types: string[];
}

test('moto: an EBS snapshot of eu-west-1 is copied into us-east-1 under the destination key, and only the workflow\'s own old copy is pruned', () => {
  try {
    execFileSync('python3', ['-c', 'import moto, boto3, requests'], { stdio: 'pipe' });
  } catch {
    throw new Error('this test needs Python 3 with moto[server] and boto3: pip install "moto[server]" boto3');
  }
  const app = new App();
  // moto's default account
  const stack = new Stack(app, 'Dr', { env: { account: '123456789012', region: 'us-east-1' } });
  const copy = new SnapshotRegionCopy(stack, 'Copy', {
    sourceRegion: 'eu-west-1',
    copyNamePrefix: 'dr',
    snapshotTypes: [SnapshotType.EBS],
    copyOnSourceEvents: false,
    // The polling path: moto runs no EventBridge rules, so no completion event would resume a
    // putItem.waitForTaskToken (the event path runs offline in private/event-wait.test.ts).
    completionEvents: false,
  });
  app.synth();
  // moto hands Step Functions' member names to botocore unnormalised: the test (never the product)
  // rewrites the aws-sdk tasks to botocore's names first.
  let definition = JSON.stringify(toBotocoreNames(extractDefinition(stack, copy.stateMachine)));
  // The placeholders of the key and topic ARNs are replaced with moto's by the script.
  expect(definition).toContain('arn:aws:kms:us-east-1:123456789012:key/CopyKeyBC7A318D');
  expect(definition).toContain('arn:aws:sns:us-east-1:123456789012:CopyFailuresEE3A1E8B');
  // Waits of 1 second instead of minutes (test speed only).
  definition = definition.replace(/"wait":\d+/g, '"wait":1')
    .replace(/States\.Array\(([\d, ]+)\)/g, (_, list: string) => `States.Array(${list.split(',').map(() => '1').join(', ')})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'region-copy-moto-'));
  fs.writeFileSync(path.join(dir, 'definition.json'), definition);
  fs.writeFileSync(path.join(dir, 'run.py'), SCRIPT);
  const output = execFileSync('python3', [path.join(dir, 'run.py'), path.join(dir, 'definition.json')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
  const result = JSON.parse(output.trim().split('\n').pop()!) as MotoResult;

  expect(result.status).toBe('SUCCEEDED');
  expect(result.copies).toHaveLength(1);
  expect(result.copies[0]).toMatchObject({ kms: result.destKey, encrypted: true });
  expect(Object.fromEntries(result.copies[0].tags.map(t => [t.Key, t.Value]))).toEqual({
    'cdk-kms-patterns:snapshot-region-copy': 'dr',
    'cdk-kms-patterns:copy-sequence': '1',
    'cdk-kms-patterns:copied-from': result.sourceSnapshot,
  });
  expect(result.sequence).toBe('1');
  expect(result.expiredKept).toBe(false);
  expect(result.othersKept).toBe(true);
  expect(result.sourceKept).toBe(true);
  expect(result.types).toEqual(expect.arrayContaining(['WaitStateEntered', 'MapStateSucceeded', 'ExecutionSucceeded']));
}, 300_000);

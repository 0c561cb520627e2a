/**
 * The schedule's workflow against a moto server (moto's Step Functions executes the synthesized
 * EXPRESS definition with real boto3 calls into its EC2, SSM, EventBridge and SNS): three
 * snapshots of the volume and one of another volume; the newest of the volume is requested with a
 * `Snapshot Region Copy Requested` event on the default bus (delivered by a rule of the test to an
 * SQS queue) and remembered in the memory parameter.
 *
 * Test-side adjustments (never in the product), moto 5.2.1 quirks: the aws-sdk service name
 * `eventbridge` (Step Functions' name) becomes `events` (boto3's); boto3's datetime results become
 * ISO 8601 strings, as Step Functions gives SDK results to the state (e.g. `"2013-08-23T01:02:15.422Z"`),
 * without the fraction (moto's `IsTimestamp` accepts only whole seconds); botocore's member names
 * (`toBotocoreNames`); one execution per server (a second StartExecution crashes 5.2.1). Policies are
 * not enforced by moto: this proves API wiring, not least privilege.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { SnapshotRegionCopySchedule } from '../../src';
import { toBotocoreNames } from '../harness/sdk-models';
import { extractDefinition } from '../harness/state-machine';

const SCRIPT = `import json, sys, time
import boto3
sys.path.insert(0, ${JSON.stringify(__dirname)})
from moto_server import client_args, start_moto
import datetime
import moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk as sdk
# Test-side adjustment (never in the product): Step Functions hands SDK results to the state as JSON,
# timestamps as ISO 8601 strings ("2013-08-23T01:02:15.422Z"); moto 5.2 passes boto3's datetime objects.
def iso(v):
    if isinstance(v, datetime.datetime):
        return v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(v, dict):
        return {k: iso(x) for k, x in v.items()}
    if isinstance(v, list):
        return [iso(x) for x in v]
    return v
class IsoClient:
    def __init__(self, client):
        self._client = client
    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if callable(attr) and not name.startswith("_") and name not in ("exceptions", "meta"):
            return lambda *a, **k: iso(attr(*a, **k))
        return attr
_orig = sdk.boto_client_for
sdk.boto_client_for = lambda *a, **k: IsoClient(_orig(*a, **k))
server, url = start_moto()
kw = client_args(url, "eu-west-1")
ec2 = boto3.client("ec2", **kw); ssm = boto3.client("ssm", **kw); sns = boto3.client("sns", **kw); sfn = boto3.client("stepfunctions", **kw)
events = boto3.client("events", **kw); sqs = boto3.client("sqs", **kw)
definition = open(sys.argv[1]).read().replace("aws-sdk:eventbridge:", "aws-sdk:events:")
vol = ec2.create_volume(AvailabilityZone="eu-west-1a", Size=8)["VolumeId"]
other = ec2.create_volume(AvailabilityZone="eu-west-1a", Size=8)["VolumeId"]
snaps = []
for i in range(3):
    snaps.append(ec2.create_snapshot(VolumeId=vol)["SnapshotId"]); time.sleep(1.1)
ec2.create_snapshot(VolumeId=other)
definition = definition.replace(sys.argv[2], vol)
param = json.loads(definition)["States"]["Sources"]["Result"][0]["parameter"]
ssm.put_parameter(Name=param, Value=json.dumps({"id": "", "time": "1970-01-01T00:00:00Z"}), Type="String")
topic = sns.create_topic(Name="failures")["TopicArn"]
definition = definition.replace(sys.argv[3], topic)
fq = sqs.create_queue(QueueName="fails")["QueueUrl"]
fqarn = sqs.get_queue_attributes(QueueUrl=fq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=fqarn, Attributes={"RawMessageDelivery": "true"})
q = sqs.create_queue(QueueName="requests")["QueueUrl"]
qarn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
events.put_rule(Name="req", EventPattern=json.dumps({"source": ["cdk-kms-patterns.snapshot-region-copy"]}))
events.put_targets(Rule="req", Targets=[{"Id": "q", "Arn": qarn}])
sm = sfn.create_state_machine(name="schedule", definition=definition, roleArn="arn:aws:iam::123456789012:role/s", type="EXPRESS")["stateMachineArn"]
def run(name):
    ex = sfn.start_execution(stateMachineArn=sm, name=name, input="{}")["executionArn"]
    for _ in range(240):
        d = [e for e in sfn.list_executions(stateMachineArn=sm)["executions"] if e["executionArn"] == ex][0]
        if d["status"] != "RUNNING": break
        time.sleep(0.5)
    try:
        out = sfn.describe_execution(executionArn=ex)
        out = {"status": out["status"], "output": out.get("output"), "error": out.get("error"), "cause": out.get("cause")}
    except Exception as e:
        out = {"status": d["status"], "describeError": str(e)}
    return out
first = run("run-1")
msgs = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10).get("Messages", [])
memory = ssm.get_parameter(Name=param)["Parameter"]["Value"]
fails = [m["Body"] for m in sqs.receive_message(QueueUrl=fq, MaxNumberOfMessages=10).get("Messages", [])]
print(json.dumps({"fails": fails, "first": first, "snaps": snaps, "memory": memory, "events": [json.loads(m["Body"]) for m in msgs]}, default=str))
server.stop()
`;

test('moto: the newest snapshot of the volume is requested with one event and remembered', () => {
  try {
    execFileSync('python3', ['-c', 'import moto, boto3, requests'], { stdio: 'pipe' });
  } catch {
    throw new Error('this test needs Python 3 with moto[server] and boto3: pip install "moto[server]" boto3');
  }
  const app = new App();
  const stack = new Stack(app, 'Primary', { env: { account: '123456789012', region: 'eu-west-1' } });
  const schedule = new SnapshotRegionCopySchedule(stack, 'ToDr', { destinationRegion: 'us-east-1', ebsVolumeIds: ['vol-0123456789abcdef0'] });
  app.synth();
  const definition = JSON.stringify(toBotocoreNames(extractDefinition(stack, schedule.stateMachine)));
  const topicPlaceholder = 'arn:aws:sns:eu-west-1:123456789012:ToDrFailures9F9921DE';
  expect(definition).toContain(topicPlaceholder);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'region-copy-schedule-moto-'));
  fs.writeFileSync(path.join(dir, 'definition.json'), definition);
  fs.writeFileSync(path.join(dir, 'run.py'), SCRIPT);
  const output = execFileSync('python3', [path.join(dir, 'run.py'), path.join(dir, 'definition.json'), 'vol-0123456789abcdef0', topicPlaceholder],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
  const result = JSON.parse(output.trim().split('\n').pop()!) as {
    fails: string[];
    first: { status: string; output: string };
    snaps: string[];
    memory: string;
    events: Array<{ 'source': string; 'detail-type': string; 'region': string; 'detail': Record<string, string> }>;
  };
  expect(result.first.status).toBe('SUCCEEDED');
  expect(result.fails).toEqual([]);
  const newest = result.snaps[2];
  expect(JSON.parse(result.first.output).results).toEqual([expect.objectContaining({ outcome: 'REQUESTED', snapshot: newest })]);
  expect(result.events).toHaveLength(1);
  expect(result.events[0]).toMatchObject({
    'source': 'cdk-kms-patterns.snapshot-region-copy',
    'detail-type': 'Snapshot Region Copy Requested',
    'region': 'eu-west-1',
    'detail': { snapshotType: 'EBS', sourceSnapshotId: newest, destinationRegion: 'us-east-1' },
  });
  expect(JSON.parse(result.memory)).toEqual({ id: newest, time: result.events[0].detail.snapshotTime });
}, 300_000);

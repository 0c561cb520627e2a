/**
 * The source side of a share, end to end against a moto server, for EBS and RDS DB snapshots
 * (test/snapshots/moto_share.py): real boto3 requests with the workflow's parameters, so moto's
 * request parsing and its EC2/RDS backends check the API wiring: the original is read, copied under
 * the shareable key (tagged), the copy shared with the target account, the confirmation awaited
 * (answered by the script with the task token), then the copy unshared and deleted; the original is
 * kept and never shared.
 *
 * The target side is not run: moto cannot copy a snapshot across accounts (VERIFY.md); the offline
 * runs (snapshot-share-run.test.ts) cover it. Policies are not enforced by moto: this proves API
 * wiring, not least privilege (snapshot-share-policies.test.ts simulates the key policies).
 *
 * Test-side adjustments (never in the product): moto 5.2.x returns a list for `$.X[0].Field`, so the
 * describe states' ResultSelector gets a `First` field (`$.X[0]`) and the Choices and messages read
 * `First.Field`; the placeholder ARNs of key, topic and bus are replaced with moto's; waits of 1-2 s
 * through the `wait` prop.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { EncryptionKey } from '../../src/keys/encryption-key';
import { SnapshotShareSource } from '../../src/snapshots/snapshot-share-source';
import { ShareTarget, SnapshotType } from '../../src/snapshots/snapshot-type';
import { toBotocoreNames } from '../harness/sdk-models';
import { AslDefinition, AslState, extractDefinition } from '../harness/state-machine';

interface Held {
  readonly id: string;
  readonly kms: string | null;
  readonly tags: Array<{ Key: string; Value: string }>;
  readonly shares?: unknown;
}
interface MotoShareResult {
  readonly status: string;
  readonly original: string;
  readonly key: string;
  readonly answered: boolean;
  readonly during: Held[];
  readonly left: Held[];
  readonly originalShares: unknown;
  readonly types: string[];
  readonly failed: unknown[];
}

/**
 * moto 5.2.x: it hands Step Functions' member names (`DbSnapshotIdentifier`) to botocore unnormalised
 * and returns botocore's (`DBSnapshots`), so the aws-sdk tasks are rewritten to botocore's names here,
 * in the test (the product keeps Step Functions' names); `$.X[0].Field` is a list, so `$.X[0]` is
 * read once in the ResultSelector instead.
 */
function withMotoQuirks(definition: AslDefinition): string {
  const walk = (states: Readonly<Record<string, AslState>>): void => {
    for (const state of Object.values(states)) {
      const selector = state.ResultSelector as Record<string, string> | undefined;
      if (selector && 'Count.$' in selector && (state.ResultPath === '$.original' || state.ResultPath === '$.described')) {
        selector['First.$'] = `${selector['Snapshots.$']}[0]`;
      }
      const nested = state.ItemProcessor as AslDefinition | undefined;
      if (nested) walk(nested.States);
    }
  };
  const copy = toBotocoreNames(definition);
  walk(copy.States);
  return JSON.stringify(copy).split('$.original.Snapshots[0].').join('$.original.First.').split('$.described.Snapshots[0].').join('$.described.First.');
}

function runMoto(type: SnapshotType): MotoShareResult {
  try {
    execFileSync('python3', ['-c', 'import moto, boto3, requests'], { stdio: 'pipe' });
  } catch {
    throw new Error('this test needs Python 3 with moto[server] and boto3: pip install "moto[server]" boto3');
  }
  const app = new App();
  // moto's default account
  const stack = new Stack(app, 'Src', { env: { account: '123456789012', region: 'eu-west-1' } });
  const source = new SnapshotShareSource(stack, 'Share', {
    snapshotType: type,
    targets: [ShareTarget.account('222222222222')],
    encryptionKey: new EncryptionKey(stack, 'ShareKey'),
    // The polling path: moto runs no EventBridge rules, so no completion event would ever resume a
    // putItem.waitForTaskToken (the event path runs offline in private/event-wait.test.ts).
    polling: { initialPollInterval: Duration.seconds(1), maxPollInterval: Duration.seconds(2), completionEvents: false },
  });
  const definition = extractDefinition(stack, source.stateMachine);
  const text = JSON.stringify(definition);
  // the placeholders the script replaces with moto's ARNs
  for (const placeholder of ['arn:aws:kms:eu-west-1:123456789012:key/ShareKeyA1DBE5A3', 'arn:aws:sns:eu-west-1:123456789012:ShareFailures2C35AA2E', 'arn:aws:events:eu-west-1:123456789012:ShareBus0E63DA5F']) {
    expect(text).toContain(placeholder);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'share-moto-'));
  fs.writeFileSync(path.join(dir, 'definition.json'), withMotoQuirks(definition));
  const output = execFileSync('python3', [path.join(__dirname, 'moto_share.py'), path.join(dir, 'definition.json'), type === SnapshotType.EBS ? 'EBS' : 'RDS'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
  return JSON.parse(output.trim().split('\n').pop()!) as MotoShareResult;
}

function tagsOf(held: Held): Record<string, string> {
  return Object.fromEntries(held.tags.map((t) => [t.Key, t.Value]));
}

describe('SnapshotShareSource against moto', () => {
  test('EBS: copied under the shareable key, shared, confirmed, unshared and deleted; the original kept and never shared', () => {
    const result = runMoto(SnapshotType.EBS);

    expect(result).toMatchObject({ status: 'SUCCEEDED', answered: true, failed: [] });
    // while waiting for the confirmation: one copy, under the shareable key, tagged, shared with the target only
    expect(result.during).toHaveLength(1);
    expect(result.during[0]).toMatchObject({ kms: result.key, shares: [{ UserId: '222222222222' }] });
    expect(tagsOf(result.during[0])).toEqual({ 'cdk-kms-patterns:snapshot-workflow': 'Src/Share', 'cdk-kms-patterns:copy-of': result.original });
    // afterwards: only the original, shared with nobody
    expect(result.left.map((s) => s.id)).toEqual([result.original]);
    expect(result.originalShares).toEqual([]);
  }, 300_000);

  test('RDS DB: the named copy under the shareable key is shared with the target, then deleted; the original kept', () => {
    const result = runMoto(SnapshotType.RDS_DB);

    expect(result).toMatchObject({ status: 'SUCCEEDED', answered: true, failed: [] });
    const copy = result.during.find((s) => s.id.startsWith('share-'))!;
    expect(copy.id).toMatch(/^share-[0-9a-f]{40}$/);
    expect(copy).toMatchObject({ kms: result.key, shares: [{ AttributeName: 'restore', AttributeValues: ['222222222222'] }] });
    expect(tagsOf(copy)).toEqual({ 'cdk-kms-patterns:snapshot-workflow': 'Src/Share', 'cdk-kms-patterns:copy-of': result.original });
    expect(result.left.map((s) => s.id)).toContain(result.original);
    expect(result.left.filter((s) => s.id.startsWith('share-'))).toEqual([]);
    expect(result.originalShares).toEqual([{ AttributeName: 'restore', AttributeValues: [] }]);
  }, 300_000);
});

/**
 * Renders a diagram of every snapshot workflow state machine (share source and target, Redshift,
 * Region copy, and the completion-event callback) from its real, synthesized definition (the same
 * extraction the tests use) as Mermaid flowcharts in docs/diagrams/. Graphviz is not installed on
 * the build machine, so no SVG is produced: GitHub renders the committed Mermaid files.
 *
 *   npx projen diagrams                                              # write
 *   npx ts-node --transpile-only scripts/render-diagrams.ts --check  # fail if a committed diagram is stale
 *
 * test/snapshots/diagrams.test.ts runs the check too, so a changed workflow cannot ship an old picture.
 *
 * A new workflow state machine gets its diagram by one entry in {@link workflowDefinitions} (name,
 * title, the stack and the state machine); the test lists the expected files.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { EncryptionKey } from '../src/keys/encryption-key';
import { CompletionWaits } from '../src/snapshots/private/event-wait';
import { SnapshotRegionCopy } from '../src/snapshots/snapshot-region-copy';
import { SnapshotRegionCopySchedule } from '../src/snapshots/snapshot-region-copy-schedule';
import { SnapshotShareSource } from '../src/snapshots/snapshot-share-source';
import { SnapshotShareTarget } from '../src/snapshots/snapshot-share-target';
import { ShareTarget, SnapshotType } from '../src/snapshots/snapshot-type';
import { AslDefinition, AslState, extractDefinition } from '../test/harness/state-machine';

/** Where the diagrams live. */
export const DIAGRAM_DIR = path.join(__dirname, '..', 'docs', 'diagrams');

/** The workflows drawn: name and definition. */
export function workflowDefinitions(): Array<{ name: string; title: string; definition: AslDefinition }> {
  const app = new App();
  const source = new Stack(app, 'Source', { env: { account: '111111111111', region: 'eu-west-1' } });
  const target = new Stack(app, 'Target', { env: { account: '222222222222', region: 'eu-west-1' } });
  const share = new SnapshotShareSource(source, 'Share', {
    snapshotType: SnapshotType.EBS,
    targets: [ShareTarget.account('222222222222')],
    encryptionKey: new EncryptionKey(source, 'ShareKey'),
    createFrom: ['vol-0123456789abcdef0'],
  });
  const receive = new SnapshotShareTarget(target, 'Receive', {
    snapshotType: SnapshotType.EBS,
    sourceAccounts: ['111111111111'],
    encryptionKey: new EncryptionKey(target, 'CopyKey'),
    restore: { availabilityZone: 'eu-west-1a' },
  });
  const rds = new SnapshotShareSource(source, 'ShareRds', {
    snapshotType: SnapshotType.RDS_DB,
    targets: [ShareTarget.account('222222222222')],
    encryptionKey: share.encryptionKey,
  });
  // Across account and Region: the target's workflow runs in the Region it copies into.
  const dr = new Stack(app, 'TargetDr', { env: { account: '222222222222', region: 'us-east-1' } });
  const receiveDr = new SnapshotShareTarget(dr, 'ReceiveDr', {
    snapshotType: SnapshotType.RDS_DB,
    sourceAccounts: ['111111111111'],
    sourceRegion: 'eu-west-1',
    encryptionKey: new EncryptionKey(dr, 'CopyKey'),
  });
  // Redshift: the snapshot itself is shared (never copied) and the target restores a cluster.
  const redshiftShare = new SnapshotShareSource(source, 'ShareRedshift', {
    snapshotType: SnapshotType.REDSHIFT_CLUSTER,
    targets: [ShareTarget.account('222222222222')],
    encryptionKey: share.encryptionKey,
    createFrom: ['warehouse'],
  });
  const receiveRedshift = new SnapshotShareTarget(target, 'ReceiveRedshift', {
    snapshotType: SnapshotType.REDSHIFT_CLUSTER,
    sourceAccounts: ['111111111111'],
    encryptionKey: receive.encryptionKey,
    restore: { clusterSubnetGroupName: 'analytics-private', vpcSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'] },
  });
  // The Region copy, in the destination Region (as in test/snapshots/snapshot-region-copy.test.ts).
  const drCopy = new Stack(app, 'Dr', { env: { account: '111111111111', region: 'us-east-1' } });
  const regionCopy = new SnapshotRegionCopy(drCopy, 'Copy', { sourceRegion: 'eu-west-1', copyNamePrefix: 'dr' });
  // The schedule in the source Region: the newest snapshot of each source, requested once.
  const schedule = new SnapshotRegionCopySchedule(source, 'CopySchedule', {
    destinationRegion: 'us-east-1',
    ebsVolumeIds: ['vol-0123456789abcdef0'],
    dbInstanceIdentifiers: ['orders'],
    dbClusterIdentifiers: ['ledger'],
  });
  // Redshift copies arriving in the destination Region, shared there (automated ones copied to manual first).
  const redshiftCopies = new SnapshotShareSource(drCopy, 'ShareRedshiftCopies', {
    snapshotType: SnapshotType.REDSHIFT_CLUSTER,
    targets: [ShareTarget.account('222222222222')],
    encryptionKey: new EncryptionKey(drCopy, 'CopyGrantKey'),
    redshiftCopies: { clusterIdentifier: 'warehouse' },
  });
  if (!redshiftCopies.copySweep) throw new Error('redshiftCopies made no sweep');
  // The completion-event callback (one definition for EBS and RDS events, whichever workflow binds it).
  const callback = (share.node.findChild('CompletionEvents') as CompletionWaits).callback;
  if (!callback) throw new Error('the EBS share workflow has no completion-event callback: completion events are off by default?');
  return [
    { name: 'snapshot-region-copy', title: 'SnapshotRegionCopy (EBS, RDS DB and Aurora cluster snapshots)', definition: extractDefinition(drCopy, regionCopy.stateMachine) },
    {
      name: 'snapshot-completion-callback',
      title: 'Completion-event callback (EXPRESS: resumes the executions waiting for a snapshot on its EBS or RDS completion event)',
      definition: extractDefinition(source, callback),
    },
    {
      name: 'snapshot-region-copy-schedule',
      title: 'SnapshotRegionCopySchedule (EXPRESS, source Region: requests a copy of each source\'s newest snapshot once)',
      definition: extractDefinition(source, schedule.stateMachine),
    },
    {
      name: 'snapshot-share-source-redshift-copies',
      title: 'SnapshotShareSource (Redshift copies from another Region: automated copies made manual, then shared)',
      definition: extractDefinition(drCopy, redshiftCopies.stateMachine),
    },
    {
      name: 'snapshot-share-redshift-copy-sweep',
      title: 'SnapshotShareSource copy sweep (on a schedule: at most one share a run, the newest eligible Redshift snapshot)',
      definition: extractDefinition(drCopy, redshiftCopies.copySweep),
    },
    { name: 'snapshot-share-source-redshift', title: 'SnapshotShareSource (Redshift: the snapshot shared as it is, one account at a time)', definition: extractDefinition(source, redshiftShare.stateMachine) },
    { name: 'snapshot-share-target-redshift', title: 'SnapshotShareTarget (Redshift: a cluster restored under the target key)', definition: extractDefinition(target, receiveRedshift.stateMachine) },
    { name: 'snapshot-share-source-ebs', title: 'SnapshotShareSource (EBS, with createFrom)', definition: extractDefinition(source, share.stateMachine) },
    { name: 'snapshot-share-source-rds', title: 'SnapshotShareSource (RDS DB snapshots: named, idempotent copies)', definition: extractDefinition(source, rds.stateMachine) },
    { name: 'snapshot-share-confirmation', title: 'SnapshotShareSource confirmation handler', definition: extractDefinition(source, share.confirmationHandler) },
    { name: 'snapshot-share-target-ebs', title: 'SnapshotShareTarget (EBS, restoring a volume)', definition: extractDefinition(target, receive.stateMachine) },
    {
      name: 'snapshot-share-target-rds-cross-region',
      title: 'SnapshotShareTarget (RDS DB snapshots shared from another Region: one CopyDBSnapshot)',
      definition: extractDefinition(dr, receiveDr.stateMachine),
    },
  ];
}

function id(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '_');
}

function label(name: string, state: AslState): string {
  const resource = typeof state.Resource === 'string' ? state.Resource.replace(/^arn:aws:states:::(aws-sdk:)?/, '') : '';
  const text = resource ? `${name}<br/><small>${resource}</small>` : name;
  return text.replace(/"/g, '#quot;');
}

function node(name: string, state: AslState): string {
  const l = label(name, state);
  switch (state.Type) {
    case 'Choice': return `${id(name)}{"${l}"}`;
    case 'Wait': return `${id(name)}(["${l}"])`;
    case 'Succeed': return `${id(name)}(("${l}"))`;
    case 'Fail': return `${id(name)}((("${l}")))`;
    case 'Pass': return `${id(name)}["${l}"]`;
    default: return `${id(name)}[["${l}"]]`;
  }
}

function edges(name: string, state: AslState): string[] {
  const out: string[] = [];
  const from = id(name);
  if (typeof state.Next === 'string') out.push(`${from} --> ${id(state.Next)}`);
  if (Array.isArray(state.Choices)) {
    for (const choice of state.Choices as Array<Record<string, unknown>>) out.push(`${from} -->|${describeChoice(choice)}| ${id(String(choice.Next))}`);
  }
  if (typeof state.Default === 'string') out.push(`${from} -->|otherwise| ${id(state.Default)}`);
  for (const c of (state.Catch as Array<{ ErrorEquals: string[]; Next: string }> | undefined) ?? []) {
    out.push(`${from} -.->|${c.ErrorEquals.join(', ').replace(/\|/g, '/')}| ${id(c.Next)}`);
  }
  return out;
}

function describeChoice(choice: Record<string, unknown>): string {
  const operator = Object.keys(choice).find((k) => !['Variable', 'Next'].includes(k)) ?? '?';
  const value = choice[operator];
  const variable = typeof choice.Variable === 'string' ? choice.Variable.replace(/^\$\./, '') : '';
  if (operator === 'And' || operator === 'Or') return `${operator.toLowerCase()}(${(value as unknown[]).length} conditions)`;
  const shown = typeof value === 'string' && value.length > 24 ? `${value.slice(0, 21)}...` : JSON.stringify(value);
  return `${variable} ${operator} ${shown}`.replace(/[|"]/g, "'");
}

/** A Mermaid flowchart of a definition (Map and Parallel states as subgraphs). */
export function mermaid(title: string, definition: AslDefinition): string {
  const lines = ['---', `title: ${title}`, '---', 'flowchart TD'];
  const draw = (states: Readonly<Record<string, AslState>>, indent: string): void => {
    for (const [name, state] of Object.entries(states)) {
      const nested = (state.ItemProcessor ?? state.Iterator) as AslDefinition | undefined;
      if (nested) {
        lines.push(`${indent}subgraph ${id(name)} ["${name} (Map over ${String(state.ItemsPath ?? '$')})"]`);
        lines.push(`${indent}  direction TB`);
        draw(nested.States, `${indent}  `);
        lines.push(`${indent}end`);
      } else {
        lines.push(`${indent}${node(name, state)}`);
      }
    }
    for (const [name, state] of Object.entries(states)) {
      for (const edge of edges(name, state)) lines.push(`${indent}${edge}`);
      const nested = (state.ItemProcessor ?? state.Iterator) as AslDefinition | undefined;
      if (nested) for (const [n, s] of Object.entries(nested.States)) for (const edge of edges(n, s)) lines.push(`${indent}${edge}`);
    }
  };
  lines.push(`  start((start)) --> ${id(definition.StartAt)}`);
  draw(definition.States, '  ');
  return `${lines.join('\n')}\n`;
}

/** Every diagram file and its content. */
export function renderAll(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const w of workflowDefinitions()) files[`${w.name}.mmd`] = mermaid(w.title, w.definition);
  return files;
}

function main(): void {
  const check = process.argv.includes('--check');
  const files = renderAll();
  fs.mkdirSync(DIAGRAM_DIR, { recursive: true });
  const stale: string[] = [];
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(DIAGRAM_DIR, file);
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
    if (current !== content) {
      if (check) stale.push(file);
      else fs.writeFileSync(target, content);
    }
  }
  if (stale.length > 0) {
    console.error(`stale diagrams (run scripts/render-diagrams.ts): ${stale.join(', ')}`);
    process.exit(1);
  }
  console.log(`${check ? 'checked' : 'wrote'} ${Object.keys(files).length} diagrams in ${DIAGRAM_DIR}`);
}

if (require.main === module) main();

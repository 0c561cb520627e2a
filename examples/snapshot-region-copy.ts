/**
 * Disaster recovery copies: EBS, RDS and Aurora snapshots of the primary Region (eu-west-1) are
 * copied into the DR Region (us-east-1) under the DR Region's key, as soon as the primary reports
 * them complete, and the newest snapshot of the orders database, the ledger cluster and the scratch
 * volume every hour (a schedule in the primary Region asks the DR Region for copies of anything new).
 * Two stacks of the security team's account: the forwarder and the schedule in the primary Region,
 * the copy workflow in the DR Region.
 */
import { Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EncryptionKey, SnapshotRegionCopy, SnapshotRegionCopyForwarder, SnapshotRegionCopySchedule } from '../src';

/**
 * The primary Region's side: forwards snapshot completion events to the DR Region, and every hour
 * asks it to copy the newest snapshot of the workload's database, cluster and volume when it is new.
 */
export class SnapshotForwarderStack extends Stack {
  /** The hourly schedule. */
  public readonly schedule: SnapshotRegionCopySchedule;

  constructor(scope: Construct, id: string, props: StackProps & { readonly drRegion: string }) {
    super(scope, id, props);
    new SnapshotRegionCopyForwarder(this, 'ToDr', { destinationRegion: props.drRegion });
    // Identifiers of the workload's resources (created by the workload team's own stacks).
    this.schedule = new SnapshotRegionCopySchedule(this, 'HourlyToDr', {
      destinationRegion: props.drRegion,
      schedule: events.Schedule.rate(Duration.hours(1)),
      dbInstanceIdentifiers: ['orders'],
      dbClusterIdentifiers: ['ledger'],
      ebsVolumeIds: ['vol-0123456789abcdef0'],
    });
  }
}

/** The DR Region's side: copies every forwarded snapshot under the DR key, keeps 14 copies of each kind. */
export class SnapshotRegionCopyStack extends Stack {
  /** The copy workflow. */
  public readonly copy: SnapshotRegionCopy;

  constructor(scope: Construct, id: string, props: StackProps & { readonly primaryRegion: string }) {
    super(scope, id, props);
    const drKey = new EncryptionKey(this, 'DrSnapshotKey', {
      description: 'Snapshot copies in the DR Region',
      aliases: ['dr/snapshots'],
    });
    this.copy = new SnapshotRegionCopy(this, 'FromPrimary', {
      sourceRegion: props.primaryRegion,
      encryptionKey: drKey,
      keepCopies: 14,
      copyNamePrefix: 'dr-copy',
      // The primary Region's SnapshotRegionCopySchedule asks for copies too.
      copyOnScheduleRequests: true,
    });
    // The on-call role may start a copy by hand: { "snapshotType": "RDS_DB", "sourceSnapshotId": "orders-2026-12-01" }
    const onCall = new iam.Role(this, 'OnCall', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: 'Starts snapshot copies into the DR Region on demand',
    });
    this.copy.grantStartExecution(onCall);
    Validations.of(this.copy).acknowledge({
      id: 'cdk-kms-patterns:regionCopyScheduleRequests',
      reason: 'An SCP of the organization denies events:PutEvents with events:source cdk-kms-patterns.snapshot-region-copy to every role but the schedule\'s',
    });
    for (const id of ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy']) {
      Validations.of(onCall).acknowledge({ id, reason: 'One inline policy written by grantStartExecution: states:StartExecution on this one state machine' });
    }
  }
}

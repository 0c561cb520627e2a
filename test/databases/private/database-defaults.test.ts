import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import {
  CLUSTER_ENGINES, checkEngine, checkPerformanceInsightsClass, databaseSubnets, identifierOf, INSTANCE_ENGINES, logParameters, logTypesOf,
  parametersWithTls, validateLogExports,
} from '../../../src/databases/private/database-defaults';

describe('database defaults', () => {
  test('the parameters that make MySQL-family engines write the logs they export', () => {
    expect(logParameters('mysql', ['audit', 'error', 'general', 'slowquery'])).toEqual({ general_log: '1', slow_query_log: '1', log_output: 'FILE' });
    expect(logParameters('mariadb', ['slowquery'])).toEqual({ slow_query_log: '1', log_output: 'FILE' });
    expect(logParameters('mysql', ['error'])).toEqual({});
    expect(logParameters('aurora-mysql', ['audit'])).toEqual({ server_audit_logging: '1', server_audit_events: 'CONNECT,QUERY_DCL,QUERY_DDL' });
    expect(logParameters('postgres', ['postgresql', 'upgrade'])).toEqual({});
    expect(logParameters('aurora-postgresql', ['postgresql'])).toEqual({});
  });

  test('Performance Insights instance classes (USER_DatabaseInsights.Engines, RDS and Aurora user guides)', () => {
    const refuses = (engine: string, cls: string) => () => checkPerformanceInsightsClass('instanceType', engine, cls, true);
    for (const cls of ['t2.micro', 't2.small', 't3.micro', 'db.t3.small', 't4g.micro', 't4g.small']) {
      expect(refuses('mysql', cls)).toThrow(/instanceType must be an instance class with Performance Insights: mysql has none/);
      expect(refuses('mariadb', cls)).toThrow(/mariadb has none/);
      expect(refuses('aurora-mysql', cls)).toThrow(/aurora-mysql has none/);
      expect(refuses('postgres', cls)).not.toThrow();
      expect(() => checkPerformanceInsightsClass('instanceType', 'mysql', cls, false)).not.toThrow();
    }
    for (const cls of ['db.t3.medium', 'db.t2.large', 'db.t3.2xlarge']) {
      expect(refuses('mysql', cls)).not.toThrow();
      expect(refuses('aurora-mysql', cls)).toThrow(/aurora-mysql has none/);
    }
    for (const cls of ['db.t4g.medium', 'db.r6g.large', 'db.serverless']) {
      expect(refuses('aurora-mysql', cls)).not.toThrow();
    }
  });

  test('the TLS parameter of each accepted engine', () => {
    expect(checkEngine('engine', { engineType: 'postgres', fullVersion: '16.4' }, INSTANCE_ENGINES)).toEqual({ name: 'rds.force_ssl', value: '1' });
    expect(checkEngine('engine', { engineType: 'mysql', fullVersion: '5.7.44' }, INSTANCE_ENGINES)).toEqual({ name: 'require_secure_transport', value: 'ON' });
    expect(checkEngine('engine', { engineType: 'mariadb', fullVersion: '10.5.27' }, INSTANCE_ENGINES)).toEqual({ name: 'require_secure_transport', value: 'ON' });
    expect(checkEngine('engine', { engineType: 'aurora-mysql' }, CLUSTER_ENGINES)).toEqual({ name: 'require_secure_transport', value: 'ON' });
    expect(checkEngine('engine', { engineType: 'aurora-postgresql' }, CLUSTER_ENGINES)).toEqual({ name: 'rds.force_ssl', value: '1' });
    expect(() => checkEngine('engine', { engineType: 'aurora-mysql' }, INSTANCE_ENGINES)).toThrow("engine must be one of postgres, mysql, mariadb, got 'aurora-mysql'");
  });

  test('parameters: the TLS parameter is added, a contradicting one refused, an equivalent one accepted', () => {
    const mysql = { name: 'require_secure_transport', value: 'ON' };
    expect(parametersWithTls({ a: 'b' }, mysql, true)).toEqual({ a: 'b', require_secure_transport: 'ON' });
    expect(parametersWithTls({ require_secure_transport: '1' }, mysql, true)).toEqual({ require_secure_transport: 'ON' });
    expect(parametersWithTls({ require_secure_transport: 'OFF' }, mysql, false)).toEqual({ require_secure_transport: 'OFF' });
    expect(() => parametersWithTls({ require_secure_transport: 'OFF' }, mysql, true)).toThrow(/must be ON \(TLS required\)/);
  });

  test('log types per engine, checked', () => {
    expect(logTypesOf('postgres')).toEqual(['postgresql', 'upgrade']);
    expect(logTypesOf('aurora-postgresql')).toEqual(['postgresql']);
    expect(validateLogExports('logs', 'mysql', undefined)).toEqual(['audit', 'error', 'general', 'slowquery']);
    expect(() => validateLogExports('logs', 'mysql', ['error', 'error'])).toThrow('logs must not repeat a log type, got ["error","error"]');
  });

  test('identifiers derived from the path are valid RDS and Redshift identifiers, stable and unique', () => {
    const stack = new Stack(new App(), 'S');
    const a = identifierOf(new Construct(new Construct(stack, '9_Lives'), 'Orders--DB_'), 'id', undefined);
    const b = identifierOf(new Construct(stack, 'Orders'), 'id', undefined);
    for (const id of [a, b]) {
      expect(id).toMatch(/^[a-z][a-z0-9-]{0,62}$/);
      expect(id).not.toMatch(/--|-$/);
    }
    expect(a).not.toEqual(b);
    expect(identifierOf(new Construct(stack, 'X'), 'id', 'MyDb')).toBe('mydb');
  });

  test('subnets: private with egress when the VPC has them, isolated otherwise, or the given selection', () => {
    const stack = new Stack(new App(), 'S');
    const isolated = new ec2.Vpc(stack, 'Isolated', { subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const standard = new ec2.Vpc(stack, 'Standard');
    expect(databaseSubnets(isolated, undefined)).toEqual({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
    expect(databaseSubnets(standard, undefined)).toEqual({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    expect(databaseSubnets(standard, { subnetGroupName: 'x' })).toEqual({ subnetGroupName: 'x' });
  });
});

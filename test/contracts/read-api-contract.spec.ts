/**
 * The read API's contract (libs/contracts read-api.ts) and its OpenAPI models: each model
 * `implements` its view, so the compiler already rejects a model that lacks a contract field or
 * types it differently. What `implements` lets through is the other way round, a model that
 * documents a field the contract (and so the server, the dashboard and poolctl) does not have:
 * `npm run check` fails on this file then, naming the field. That every field is decorated, so the
 * OpenAPI document shows it, is checked against live answers (projection-read-api.e2e-spec.ts).
 */
import type * as Contract from '@pool/contracts';
import { describe, expect, it } from 'vitest';
import * as Models from '../../apps/projection/src/read-api/openapi/read-api-models.js';

/** Each OpenAPI model beside the contract view it documents. */
interface Documented {
  PoolSummaryModel: [Models.PoolSummaryModel, Contract.PoolSummaryView];
  PoolModel: [Models.PoolModel, Contract.PoolView];
  UplinkModel: [Models.UplinkModel, Contract.UplinkView];
  VifQosModel: [Models.VifQosModel, Contract.VifQosView];
  SwitchPortModel: [Models.SwitchPortModel, Contract.SwitchPortView];
  OverlayHostModel: [Models.OverlayHostModel, Contract.OverlayHostView];
  OverlayUnderlayModel: [Models.OverlayUnderlayModel, Contract.OverlayUnderlayView];
  SwitchNetworkModel: [Models.SwitchNetworkModel, Contract.SwitchNetworkView];
  SwitchModel: [Models.SwitchModel, Contract.SwitchView];
  HostModel: [Models.HostModel, Contract.HostView];
  PifModel: [Models.PifModel, Contract.PifView];
  BondModel: [Models.BondModel, Contract.BondView];
  HostPortModel: [Models.HostPortModel, Contract.HostPortView];
  HostDetailModel: [Models.HostDetailModel, Contract.HostDetailView];
  NetworkModel: [Models.NetworkModel, Contract.NetworkView];
  VifPortModel: [Models.VifPortModel, Contract.VifPortView];
  VmVifModel: [Models.VmVifModel, Contract.VmVifView];
  VmMigrationModel: [Models.VmMigrationModel, Contract.VmMigrationView];
  VmModel: [Models.VmModel, Contract.VmView];
  AddressModel: [Models.AddressModel, Contract.AddressView];
  MigrationVersionsModel: [Models.MigrationVersionsModel, Contract.MigrationVersionsView];
  MigrationModel: [Models.MigrationModel, Contract.MigrationView];
  AclMatchModel: [Models.AclMatchModel, Contract.AclMatchView];
  HostRuleHitsModel: [Models.HostRuleHitsModel, Contract.HostRuleHitsView];
  RuleHitsModel: [Models.RuleHitsModel, Contract.RuleHitsView];
  AclRuleModel: [Models.AclRuleModel, Contract.AclRuleView];
  AddressSetModel: [Models.AddressSetModel, Contract.AddressSetView];
  SecurityGroupModel: [Models.SecurityGroupModel, Contract.SecurityGroupView];
  MirrorProblemModel: [Models.MirrorProblemModel, Contract.MirrorStatusProblem];
  MirrorStatusModel: [Models.MirrorStatusModel, Contract.MirrorStatus];
  MirrorModel: [Models.MirrorModel, Contract.MirrorView];
  CounterModel: [Models.CounterModel, Contract.CounterView];
  AdviceModel: [Models.AdviceModel, Contract.AdviceView];
}

/** The fields only one side has: `never` when the model and the view are in step. */
type Drift<Model, View> = Exclude<keyof Model, keyof View> | Exclude<keyof View, keyof Model>;

/** `'in step'` for each pair, or the drifted field names, which the literal below then fails. */
type Verdicts = {
  [K in keyof Documented]: [Drift<Documented[K][0], Documented[K][1]>] extends [never]
    ? 'in step'
    : { drifted: Drift<Documented[K][0], Documented[K][1]> };
};

const VERDICTS: Verdicts = {
  PoolSummaryModel: 'in step',
  PoolModel: 'in step',
  UplinkModel: 'in step',
  VifQosModel: 'in step',
  SwitchPortModel: 'in step',
  OverlayHostModel: 'in step',
  OverlayUnderlayModel: 'in step',
  SwitchNetworkModel: 'in step',
  SwitchModel: 'in step',
  HostModel: 'in step',
  PifModel: 'in step',
  BondModel: 'in step',
  HostPortModel: 'in step',
  HostDetailModel: 'in step',
  NetworkModel: 'in step',
  VifPortModel: 'in step',
  VmVifModel: 'in step',
  VmMigrationModel: 'in step',
  VmModel: 'in step',
  AddressModel: 'in step',
  MigrationVersionsModel: 'in step',
  MigrationModel: 'in step',
  AclMatchModel: 'in step',
  HostRuleHitsModel: 'in step',
  RuleHitsModel: 'in step',
  AclRuleModel: 'in step',
  AddressSetModel: 'in step',
  SecurityGroupModel: 'in step',
  MirrorProblemModel: 'in step',
  MirrorStatusModel: 'in step',
  MirrorModel: 'in step',
  CounterModel: 'in step',
  AdviceModel: 'in step',
};

describe('read API contract', () => {
  it('pairs every OpenAPI model of a view with its contract, field for field', () => {
    expect(Object.values(VERDICTS).every((v) => v === 'in step')).toBe(true);
    for (const name of Object.keys(VERDICTS)) {
      expect(Models, name).toHaveProperty(name);
    }
  });
});

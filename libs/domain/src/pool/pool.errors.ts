import { DomainError, type DomainErrorKind } from '../core/errors.js';

/** Every code the pool decider throws, with the kind the API maps to an HTTP status. */
export const POOL_ERROR_KINDS = {
  POOL_NOT_FOUND: 'not_found',
  HOST_NOT_FOUND: 'not_found',
  PIF_NOT_FOUND: 'not_found',
  BOND_NOT_FOUND: 'not_found',
  NETWORK_NOT_FOUND: 'not_found',
  VM_NOT_FOUND: 'not_found',
  VIF_NOT_FOUND: 'not_found',
  ACL_RULE_NOT_FOUND: 'not_found',
  MIRROR_NOT_FOUND: 'not_found',
  MIGRATION_NOT_FOUND: 'not_found',
  ADDRESS_SET_NOT_FOUND: 'not_found',
  SECURITY_GROUP_NOT_FOUND: 'not_found',
  SECURITY_GROUP_MEMBER_NOT_FOUND: 'not_found',

  POOL_EXISTS: 'conflict',
  HOST_EXISTS: 'conflict',
  BOND_EXISTS: 'conflict',
  NETWORK_EXISTS: 'conflict',
  VM_EXISTS: 'conflict',
  VIF_EXISTS: 'conflict',
  ACL_RULE_EXISTS: 'conflict',
  MIRROR_EXISTS: 'conflict',
  MIGRATION_EXISTS: 'conflict',
  ADDRESS_SET_EXISTS: 'conflict',
  SECURITY_GROUP_EXISTS: 'conflict',
  SECURITY_GROUP_MEMBER_EXISTS: 'conflict',

  UNKNOWN_COMMAND: 'invalid',
  INVALID_ID: 'invalid',
  INVALID_NAME: 'invalid',
  INVALID_TEXT: 'invalid',
  INVALID_DEVICE: 'invalid',
  INVALID_OPTION: 'invalid',
  INVALID_INVENTORY: 'invalid',
  INVALID_BOND: 'invalid',
  INVALID_MAC: 'invalid',
  INVALID_IP: 'invalid',
  IPV4_EMBEDDED_IPV6: 'invalid',
  INVALID_ADDRESS_PAIR: 'invalid',
  TOO_MANY_ADDRESSES: 'invalid',
  INVALID_CIDR: 'invalid',
  INVALID_VLAN: 'invalid',
  INVALID_MTU: 'invalid',
  INVALID_VIF_DEVICE: 'invalid',
  INVALID_QOS: 'invalid',
  INVALID_PRIORITY: 'invalid',
  INVALID_PORT_RANGE: 'invalid',
  INVALID_MATCH: 'invalid',
  ADDRESS_SET_TOO_LARGE: 'invalid',
  INVALID_NUMBER: 'invalid',
  MIGRATION_TO_SAME_HOST: 'invalid',
  TUNNEL_PIF_ROLE: 'invalid',

  NETWORK_NAME_IN_USE: 'conflict',
  DEVICE_VLAN_IN_USE: 'conflict',
  DEVICE_IN_USE: 'conflict',
  PIF_ALREADY_BONDED: 'conflict',
  BOND_MEMBER_HAS_VLAN: 'conflict',
  UPLINK_IN_USE: 'conflict',
  MANAGEMENT_PIF_REQUIRED: 'conflict',
  MAC_IN_USE: 'conflict',
  MAC_SPACE_EXHAUSTED: 'conflict',
  IP_IN_USE: 'conflict',
  VIF_DEVICE_IN_USE: 'conflict',
  VIF_DEVICES_EXHAUSTED: 'conflict',
  NETWORK_IN_USE: 'conflict',
  HOST_HAS_RUNNING_VMS: 'conflict',
  HOST_HAS_MIGRATIONS: 'conflict',
  HOST_DISABLED: 'conflict',
  MISSING_UPLINKS: 'conflict',
  VM_NOT_HALTED: 'conflict',
  VM_NOT_RUNNING: 'conflict',
  VM_NOT_ON_HOST: 'conflict',
  VM_MIGRATING: 'conflict',
  MIGRATION_INVALID_TRANSITION: 'conflict',
  ACL_RULE_OVERLAP: 'conflict',
  ACL_REJECT_UNSUPPORTED: 'invalid',
  ACL_DIRECTION_RENAMED: 'invalid',
  MIRROR_LOOP: 'conflict',
  ADDRESS_SET_NAME_IN_USE: 'conflict',
  SECURITY_GROUP_NAME_IN_USE: 'conflict',
  ADDRESS_SET_IN_USE: 'conflict',
  SECURITY_GROUP_IN_USE: 'conflict',
  TUNNEL_ENDPOINT_MISSING: 'conflict',
  TUNNEL_ADDRESS_IN_USE: 'conflict',
  TUNNEL_ENDPOINT_REQUIRED: 'conflict',
  OVERLAY_MTU_TOO_LARGE: 'conflict',
  VNI_SPACE_EXHAUSTED: 'conflict',
} as const satisfies Record<string, DomainErrorKind>;

export type PoolErrorCode = keyof typeof POOL_ERROR_KINDS;
export type PoolError = DomainError<PoolErrorCode>;

export const poolError = (
  code: PoolErrorCode,
  message: string,
  details?: Record<string, unknown>,
): PoolError => new DomainError(code, POOL_ERROR_KINDS[code], message, details);

const ENTITIES = {
  POOL: 'pool',
  HOST: 'host',
  PIF: 'PIF',
  BOND: 'bond',
  NETWORK: 'network',
  VM: 'VM',
  VIF: 'VIF',
  ACL_RULE: 'ACL rule',
  MIRROR: 'mirror',
  MIGRATION: 'migration',
  ADDRESS_SET: 'address set',
  SECURITY_GROUP: 'security group',
} as const;
type Entity = keyof typeof ENTITIES;

export const notFound = (entity: Entity, id: string): PoolError =>
  poolError(`${entity}_NOT_FOUND`, `${ENTITIES[entity]} ${id} does not exist`, { id });

export const alreadyExists = (entity: Exclude<Entity, 'PIF'>, id: string): PoolError =>
  poolError(`${entity}_EXISTS`, `${ENTITIES[entity]} ${id} already exists`, { id });

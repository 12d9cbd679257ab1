/**
 * A trimmed copy of Open vSwitch's vswitch.ovsschema (3.1): the tables and columns the OVS
 * driver reads and writes, with their types and roots as the real schema has them. For unit
 * specs of the OVSDB client; int-specs read the real schema from ovsdb-server.
 */
export const VSWITCH_SCHEMA: unknown = {
  tables: {
    Open_vSwitch: {
      columns: {
        bridges: { type: { key: { type: 'uuid', refTable: 'Bridge' }, min: 0, max: 'unlimited' } },
        next_cfg: { type: 'integer' },
        cur_cfg: { type: 'integer' },
        external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
      },
      isRoot: true,
    },
    Bridge: {
      columns: {
        name: { type: 'string' },
        ports: { type: { key: { type: 'uuid', refTable: 'Port' }, min: 0, max: 'unlimited' } },
        mirrors: { type: { key: { type: 'uuid', refTable: 'Mirror' }, min: 0, max: 'unlimited' } },
        protocols: {
          type: {
            key: {
              type: 'string',
              enum: [
                'set',
                [
                  'OpenFlow10',
                  'OpenFlow11',
                  'OpenFlow12',
                  'OpenFlow13',
                  'OpenFlow14',
                  'OpenFlow15',
                ],
              ],
            },
            min: 0,
            max: 'unlimited',
          },
        },
        external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
        fail_mode: {
          type: {
            key: { type: 'string', enum: ['set', ['standalone', 'secure']] },
            min: 0,
            max: 1,
          },
        },
        datapath_type: { type: 'string' },
      },
    },
    Port: {
      columns: {
        name: { type: 'string' },
        interfaces: {
          type: { key: { type: 'uuid', refTable: 'Interface' }, min: 1, max: 'unlimited' },
        },
        qos: { type: { key: { type: 'uuid', refTable: 'QoS' }, min: 0, max: 1 } },
        tag: {
          type: { key: { type: 'integer', minInteger: 0, maxInteger: 4095 }, min: 0, max: 1 },
        },
        protected: { type: 'boolean' },
        external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
        bond_mode: {
          type: {
            key: { type: 'string', enum: ['set', ['balance-tcp', 'balance-slb', 'active-backup']] },
            min: 0,
            max: 1,
          },
        },
        lacp: {
          type: {
            key: { type: 'string', enum: ['set', ['active', 'passive', 'off']] },
            min: 0,
            max: 1,
          },
        },
        vlan_mode: {
          type: {
            key: {
              type: 'string',
              enum: [
                'set',
                ['trunk', 'access', 'native-tagged', 'native-untagged', 'dot1q-tunnel'],
              ],
            },
            min: 0,
            max: 1,
          },
        },
        other_config: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
      },
    },
    Interface: {
      columns: {
        name: { type: 'string' },
        type: { type: 'string' },
        options: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
        ofport: { type: { key: 'integer', min: 0, max: 1 } },
        ifindex: {
          type: { key: { type: 'integer', minInteger: 0, maxInteger: 4294967295 }, min: 0, max: 1 },
        },
        mtu_request: { type: { key: { type: 'integer', minInteger: 1 }, min: 0, max: 1 } },
        external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
      },
    },
    Mirror: {
      columns: {
        name: { type: 'string' },
        select_src_port: {
          type: {
            key: { type: 'uuid', refTable: 'Port', refType: 'weak' },
            min: 0,
            max: 'unlimited',
          },
        },
        select_dst_port: {
          type: {
            key: { type: 'uuid', refTable: 'Port', refType: 'weak' },
            min: 0,
            max: 'unlimited',
          },
        },
        output_port: {
          type: { key: { type: 'uuid', refTable: 'Port', refType: 'weak' }, min: 0, max: 1 },
        },
        external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
      },
    },
    QoS: {
      columns: {
        type: { type: 'string' },
        queues: {
          type: {
            key: { type: 'integer', minInteger: 0, maxInteger: 4294967295 },
            value: { type: 'uuid', refTable: 'Queue' },
            min: 0,
            max: 'unlimited',
          },
        },
        external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
        other_config: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
      },
      isRoot: true,
    },
    Queue: {
      columns: {
        other_config: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
        external_ids: { type: { key: 'string', value: 'string', min: 0, max: 'unlimited' } },
      },
      isRoot: true,
    },
  },
};

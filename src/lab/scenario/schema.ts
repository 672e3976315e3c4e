/**
 * @module lab/scenario/schema
 * JSON Schema (draft-07, checked with ajv) of a scenario file as written. Shorthands
 * (`tcp:8080` listeners, pod-ref endpoints) are normalised after validation.
 */

const ipv4 = { type: 'string', pattern: '^\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$' } as const;
const cidr = { type: 'string', pattern: '^\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}/\\d{1,2}$' } as const;
const dnsLabel = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 } as const;
const port = { type: 'integer', minimum: 1, maximum: 65535 } as const;
const outcome = { enum: ['connected', 'refused', 'timeout', 'unreachable'] } as const;

const faults = {
  type: 'object',
  additionalProperties: false,
  properties: {
    bridgeNfCallIptables: { enum: [0, 1] },
    ipForward: { enum: [0, 1] },
    forwardPolicyDrop: { type: 'boolean' },
    flannelForwardRules: { type: 'boolean' },
    flannelMasquerade: { type: 'boolean' },
    hairpin: { enum: ['on', 'off'] },
    conntrackMax: { type: 'integer', minimum: 1 },
    vxlanMtu: { type: 'integer', minimum: 576, maximum: 9000 },
    rpFilter: { enum: [0, 1, 2] },
    masqueradeMissing: { type: 'boolean' },
    defaultRoute: { type: 'boolean' },
  },
} as const;

export const SCENARIO_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'nodes', 'pods'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][-a-z0-9]*$', maxLength: 40 },
    description: { type: 'string' },
    expectChecks: {
      type: 'array',
      items: { type: 'string', pattern: '^[a-z0-9][-a-z0-9]*(:(critical|warning|info))?$' },
    },
    iptablesBackend: { enum: ['legacy', 'nft'] },
    proxyMode: { enum: ['iptables', 'nftables'] },
    cluster: {
      type: 'object',
      additionalProperties: false,
      properties: {
        clusterCIDR: cidr,
        serviceCIDR: cidr,
        underlayCIDR: cidr,
        nodeMtu: { type: 'integer', minimum: 576, maximum: 9000 },
        fabricMtu: { type: 'integer', minimum: 576, maximum: 9000 },
        faults,
        servicesWithoutEndpoints: { type: 'array', items: { type: 'string' } },
      },
    },
    nodes: {
      type: 'array',
      minItems: 1,
      maxItems: 8,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'podCIDR', 'underlayIP'],
        properties: {
          name: { type: 'string', pattern: '^[a-z][a-z0-9]{0,9}$' },
          podCIDR: cidr,
          underlayIP: ipv4,
          faults,
        },
      },
    },
    pods: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'node', 'ip'],
        properties: {
          name: dnsLabel,
          namespace: dnsLabel,
          node: { type: 'string' },
          ip: ipv4,
          listeners: {
            type: 'array',
            items: {
              anyOf: [
                { type: 'string', pattern: '^(tcp|udp):\\d{1,5}$' },
                {
                  type: 'object',
                  additionalProperties: false,
                  required: ['port'],
                  properties: { proto: { enum: ['tcp', 'udp'] }, port },
                },
              ],
            },
          },
        },
      },
    },
    services: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'clusterIP', 'ports'],
        properties: {
          name: { type: 'string' },
          namespace: dnsLabel,
          clusterIP: ipv4,
          ports: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['port'],
              properties: {
                name: { type: 'string' },
                port,
                targetPort: port,
                protocol: { enum: ['TCP', 'UDP', 'tcp', 'udp'] },
              },
            },
          },
          endpoints: { type: 'array', items: { type: 'string' } },
          sessionAffinity: { enum: ['None', 'ClientIP'] },
        },
      },
    },
    flows: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to'],
        properties: {
          name: { type: 'string', pattern: '^[a-z0-9][-a-z0-9]*$' },
          from: { type: 'string' },
          to: { type: 'string' },
          proto: { enum: ['tcp', 'udp'] },
          replyBytes: { type: 'integer', minimum: 0, maximum: 16777216 },
          attempts: { type: 'integer', minimum: 1, maximum: 64 },
          expect: {
            anyOf: [
              { enum: ['connected', 'refused', 'timeout', 'unreachable', 'mixed'] },
              { type: 'object', additionalProperties: outcome },
            ],
          },
          note: { type: 'string' },
          differential: { type: 'boolean' },
        },
      },
    },
  },
} as const;

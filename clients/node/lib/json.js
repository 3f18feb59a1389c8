'use strict';
// The protobuf JSON mapping (as protojson / JsonFormat print it with proto
// field names) of the objects the library hands out: 64-bit integers as
// strings, enums by name, bytes in base64, Timestamp and Duration as
// strings, Struct / Value / ListValue as plain JSON, wrappers as their value,
// and fields without presence left out when they hold their default value.

const protobuf = require('protobufjs');
const { CONVERSION } = require('./proto');

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const FLOAT_TYPES = new Set(['double', 'float']);

function bigIntOf(value) {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'object' && typeof value.toString === 'function') return BigInt(value.toString());
  return BigInt(value);
}

// 0, 3, 6 or 9 fractional digits, the fewest that keep the value.
function fraction(nanos) {
  if (nanos === 0) return '';
  const digits = String(nanos).padStart(9, '0');
  if (nanos % 1000000 === 0) return `.${digits.slice(0, 3)}`;
  if (nanos % 1000 === 0) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

function timestampToJSON(object) {
  const seconds = bigIntOf(object.seconds);
  const nanos = Number(object.nanos || 0);
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) throw new RangeError(`timestamp out of range: ${seconds}`);
  return `${date.toISOString().slice(0, 19)}${fraction(nanos)}Z`;
}

function durationToJSON(object) {
  const seconds = bigIntOf(object.seconds);
  const nanos = Number(object.nanos || 0);
  const negative = seconds < 0n || nanos < 0;
  const abs = seconds < 0n ? -seconds : seconds;
  return `${negative ? '-' : ''}${abs}${fraction(Math.abs(nanos))}s`;
}

function numberToJSON(value) {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

// google.protobuf.Value. The well-known types come from protobufjs' bundled
// definitions, whose field names are camelCase (numberValue, as with
// @grpc/proto-loader); snake_case is accepted too.
const VALUE_KINDS = {
  nullValue: 'null',
  null_value: 'null',
  numberValue: 'number',
  number_value: 'number',
  stringValue: 'string',
  string_value: 'string',
  boolValue: 'bool',
  bool_value: 'bool',
  structValue: 'struct',
  struct_value: 'struct',
  listValue: 'list',
  list_value: 'list',
};

function structValueToJSON(value) {
  if (value === null || value === undefined) return null;
  let field = value.kind;
  if (!field || value[field] === undefined) {
    field = Object.keys(VALUE_KINDS).find((name) => value[name] !== undefined && value[name] !== null);
  }
  const inner = field === undefined ? undefined : value[field];
  switch (VALUE_KINDS[field]) {
    case 'number':
      return numberToJSON(inner);
    case 'string':
    case 'bool':
      return inner;
    case 'struct':
      return structToJSON(inner);
    case 'list':
      return listToJSON(inner);
    default:
      return null;
  }
}

function structToJSON(object) {
  const out = {};
  for (const [key, value] of Object.entries((object && object.fields) || {})) out[key] = structValueToJSON(value);
  return out;
}

function listToJSON(object) {
  return ((object && object.values) || []).map(structValueToJSON);
}

function lowerCamel(name) {
  return name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

// Messages whose JSON form is not an object of their fields.
const WELL_KNOWN = {
  '.google.protobuf.Timestamp': (type, object) => timestampToJSON(object),
  '.google.protobuf.Duration': (type, object) => durationToJSON(object),
  '.google.protobuf.Struct': (type, object) => structToJSON(object),
  '.google.protobuf.Value': (type, object) => structValueToJSON(object),
  '.google.protobuf.ListValue': (type, object) => listToJSON(object),
  '.google.protobuf.FieldMask': (type, object) => (object.paths || []).map(lowerCamel).join(','),
  '.google.protobuf.Empty': () => ({}),
  '.google.protobuf.Any': anyToJSON,
};
for (const wrapper of ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes']) {
  WELL_KNOWN[`.google.protobuf.${wrapper}Value`] = (type, object) => fieldValueToJSON(type.fields.value, object.value);
}

function anyToJSON(type, object) {
  const url = object.type_url || object.typeUrl || '';
  let inner;
  try {
    inner = type.root.lookupType(url.slice(url.lastIndexOf('/') + 1));
  } catch {
    return { '@type': url, value: Buffer.from(object.value || []).toString('base64') };
  }
  const decoded = inner.toObject(inner.decode(object.value || Buffer.alloc(0)), CONVERSION);
  if (WELL_KNOWN[inner.fullName]) return { '@type': url, value: WELL_KNOWN[inner.fullName](inner, decoded) };
  return { '@type': url, ...messageToJSON(inner, decoded) };
}

function isDefault(field, value) {
  if (field.resolvedType instanceof protobuf.Enum) {
    return value === 0 || value === field.resolvedType.valuesById[0];
  }
  if (LONG_TYPES.has(field.type)) return bigIntOf(value) === 0n;
  if (field.type === 'bytes') return value.length === 0;
  if (field.type === 'string') return value === '';
  if (field.type === 'bool') return value === false;
  return value === 0 && !Object.is(value, -0);
}

function fieldValueToJSON(field, value) {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return messageToJSON(resolved, value);
  if (resolved instanceof protobuf.Enum) {
    if (resolved.fullName === '.google.protobuf.NullValue') return null;
    return typeof value === 'number' ? (resolved.valuesById[value] ?? value) : value;
  }
  if (LONG_TYPES.has(field.type)) return bigIntOf(value).toString();
  if (FLOAT_TYPES.has(field.type)) return numberToJSON(value);
  if (field.type === 'bytes') return typeof value === 'string' ? value : Buffer.from(value).toString('base64');
  return value;
}

// `object` of protobufjs Type `type` (as the library hands it out, or any
// protobufjs toObject form) in its protobuf JSON form.
function messageToJSON(type, object) {
  const special = WELL_KNOWN[type.fullName];
  if (special) return special(type, object);
  const out = {};
  for (const field of type.fieldsArray) {
    const value = object[field.name];
    if (value === undefined || value === null) continue;
    if (field.map) {
      const keys = Object.keys(value);
      if (keys.length === 0) continue;
      const map = {};
      for (const key of keys) map[key] = fieldValueToJSON(field, value[key]);
      out[field.name] = map;
    } else if (field.repeated) {
      if (value.length === 0) continue;
      out[field.name] = Array.from(value, (item) => fieldValueToJSON(field, item));
    } else {
      // Fields with presence (messages, oneof members, proto3 optional) are
      // printed when set, whatever their value; the others not when default.
      const hasPresence = field.partOf != null || field.resolvedType instanceof protobuf.Type;
      if (!hasPresence && isDefault(field, value)) continue;
      out[field.name] = fieldValueToJSON(field, value);
    }
  }
  return out;
}

module.exports = { messageToJSON, structToJSON, structValueToJSON, timestampToJSON, durationToJSON };

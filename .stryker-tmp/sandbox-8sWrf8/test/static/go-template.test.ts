/**
 * The template interpreter the chart tests rely on (helpers/go-template.ts) behaves like Go's text/template
 * with Helm's strict rendering on the constructs the chart uses.
 */
// @ts-nocheck

import { Engine, GoFloat } from './helpers/go-template';

function run(src: string, data: unknown, defines = ''): string {
  const engine = new Engine();
  if (defines) engine.addFile('defines.tpl', defines);
  engine.addFile('t', src);
  return engine.execDefine('t', data);
}

describe('Go template interpreter', () => {
  test('trim markers remove whitespace on their side only', () => {
    expect(run('a  \n  {{- "b" }}  \n  c', {})).toBe('ab  \n  c');
    expect(run('a  {{ "b" -}}  \n  c', {})).toBe('a  bc');
    expect(run('x\n{{- /* comment */ -}}\ny', {})).toBe('xy');
  });

  test('fields, variables and $', () => {
    const data = { Values: { a: { b: 'deep' }, list: ['x', 'y'] }, Release: { Name: 'r' } };
    expect(run('{{ .Values.a.b }}/{{ $.Release.Name }}', data)).toBe('deep/r');
    expect(run('{{ $v := .Values.a }}{{ $v.b }}', data)).toBe('deep');
    expect(run('{{ range $i, $e := .Values.list }}{{ $i }}={{ $e }};{{ end }}', data)).toBe('0=x;1=y;');
    expect(run('{{ with .Values.a }}{{ .b }}{{ end }}', data)).toBe('deep');
    expect(run('{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}', data)).toBe('2');
  });

  test('a missing key is an error, as with helm lint --strict (missingkey=error)', () => {
    expect(() => run('{{ .Values.nope }}', { Values: {} })).toThrow(/no entry for key "nope"/);
    expect(() => run('{{ .Values.a.b }}', { Values: { a: null } })).toThrow(/nil pointer/);
    expect(() => run('{{ nosuchfunction 1 }}', {})).toThrow(/not defined/);
  });

  test('if / else if / else and truthiness', () => {
    const t = '{{ if eq .v "a" }}A{{ else if .v }}other{{ else }}empty{{ end }}';
    expect(run(t, { v: 'a' })).toBe('A');
    expect(run(t, { v: 'b' })).toBe('other');
    expect(run(t, { v: '' })).toBe('empty');
    expect(run('{{ if .m }}y{{ else }}n{{ end }}', { m: {} })).toBe('n');
    expect(run('{{ if .n }}y{{ else }}n{{ end }}', { n: new GoFloat(0) })).toBe('n');
  });

  test('define / include / template and pipelines', () => {
    const defines = '{{- define "x.name" -}}{{ .n | upper }}{{- end }}';
    expect(run('[{{ include "x.name" . | quote }}]', { n: 'abc' }, defines)).toBe('["ABC"]');
    expect(run('[{{ template "x.name" . }}]', { n: 'abc' }, defines)).toBe('[ABC]');
    expect(run('{{ printf "%s-%s" "a" "b" | trunc 3 | trimSuffix "-" }}', {})).toBe('a-b');
    expect(run('{{ default "d" .v }}|{{ .w | default "d" }}', { v: '', w: 'w' })).toBe('d|w');
  });

  test('numbers from values print like Go float64 unless made int', () => {
    expect(run('{{ .a }} {{ .b }} {{ .b | int }} {{ .c }}', { a: new GoFloat(300000), b: new GoFloat(1000000), c: new GoFloat(0.5) })).toBe(
      '300000 1e+06 1000000 0.5',
    );
    expect(run('{{ .b | quote }} {{ .b | int | quote }}', { b: new GoFloat(3600000) })).toBe('"3.6e+06" "3600000"');
    expect(run('{{ div (add 10000 999) 1000 }} {{ max 3 7 2 }}', {})).toBe('10 7');
  });

  test('toYaml and nindent', () => {
    const out = run('k:{{ toYaml .m | nindent 2 }}', { m: { b: 1, a: ['x'] } });
    expect(out).toBe('k:\n  a:\n  - x\n  b: 1');
  });
});

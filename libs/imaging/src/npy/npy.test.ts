import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readNpy, writeNpy } from './npy.ts';
import { NpyError } from './npy-error.ts';
import { sharedDataPath } from '../nifti/shared-data.ts';

/*
 * Files written by numpy 1.24.2 (Debian python3-numpy), printed as base64 with:
 *   import numpy as np, io, base64; from numpy.lib import format as fmt
 *   b = io.BytesIO(); fmt.write_array(b, a, version=ver); print(base64.b64encode(b.getvalue()).decode())
 * for a = np.arange(6, dtype='<f4').reshape(2,3)/4 - 0.5 (v1); (np.arange(6).reshape(3,2)*1.5 - 2).astype('>f4');
 * np.array([[0.1, -2.5e300], [3.0, 7.25]], '<f8') (v2); np.array([0,1,200,255], '|u1') (v3);
 * np.array([[-32768, 5], [300, 32767]], '<i2'); np.array([-2**31, -1, 16777217, 2**31-1], '<i4').reshape(1,2,2);
 * np.array([-7, 123456789], '>i4'); np.array(2.5, '<f8'); np.asfortranarray(np.arange(6, dtype='<f4').reshape(2,3)).
 */
const NUMPY_FILES: Array<[string, string, number[], string, number[]]> = [
  [
    '<f4 v1',
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAC/AACAvgAAAAAAAIA+AAAAPwAAQD8=',
    [2, 3],
    '<f4',
    [-0.5, -0.25, 0.0, 0.25, 0.5, 0.75],
  ],
  [
    '>f4 v1',
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIArAAAAAvwAAAD+AAABAIAAAQIAAAECwAAA=',
    [3, 2],
    '>f4',
    [-2.0, -0.5, 1.0, 2.5, 4.0, 5.5],
  ],
  [
    '<f8 v2',
    'k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqamZmZmZm5PwOTAKpL3U3+AAAAAAAACEAAAAAAAAAdQA==',
    [2, 2],
    '<f8',
    [0.1, -2.5e300, 3.0, 7.25],
  ],
  [
    '|u1 v3',
    'k05VTVBZAwB0AAAAeydkZXNjcic6ICd8dTEnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoNCwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAcj/',
    [4],
    '|u1',
    [0, 1, 200, 255],
  ],
  [
    '<i2 v1',
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAgAUALAH/fw==',
    [2, 2],
    '<i2',
    [-32768, 5, 300, 32767],
  ],
  [
    '<i4 v1',
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsIDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAACA/////wEAAAH///9/',
    [1, 2, 2],
    '<i4',
    [-2147483648, -1, 16777217, 2147483647],
  ],
  [
    '>i4 v1',
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPmk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr////5B1vNFQ==',
    [2],
    '>i4',
    [-7, 123456789],
  ],
  [
    'scalar <f8',
    'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAEQA==',
    [],
    '<f8',
    [2.5],
  ],
];
const FORTRAN =
  'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAABAQAAAgD8AAIBAAAAAQAAAoEA=';

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

for (const [name, base64, shape, dtype, values] of NUMPY_FILES) {
  test(`reads a numpy-written ${name} file`, () => {
    const a = readNpy(b64(base64));
    assert.deepEqual(a.shape, shape);
    assert.equal(a.dtype, dtype);
    assert.equal(a.fortranOrder, false);
    assert.deepEqual(
      Array.from(a.data),
      values.map((v) => (dtype.endsWith('f4') ? Math.fround(v) : v)),
    );
  });
}

test('typed arrays follow the dtype', () => {
  const kinds = NUMPY_FILES.map(([, s]) => readNpy(b64(s)).data.constructor.name);
  assert.deepEqual(kinds, [
    'Float32Array',
    'Float32Array',
    'Float64Array',
    'Uint8Array',
    'Int16Array',
    'Int32Array',
    'Int32Array',
    'Float64Array',
  ]);
});

test('MedicalNet input volumes (float32 D×H×W) match numpy', () => {
  // /usr/bin/python3 -c "import numpy as np; a=np.load(f); a64=a.astype(np.float64);
  //   print(a.shape, a64.sum(), (a64**2).sum(), a.ravel()[0], a.ravel()[-1])"
  const cases: Array<[string, number[], number, number, number, number]> = [
    [
      'resnet10_w16_input.npy',
      [24, 28, 28],
      9414.453830897808,
      6284.0498039464765,
      0.9449049234390259,
      0.49167460203170776,
    ],
    [
      'resnet50_w8_input.npy',
      [20, 26, 22],
      5734.3081163764,
      3817.840195100725,
      0.13380122184753418,
      0.5818212628364563,
    ],
  ];
  for (const [file, shape, sum, sumSq, first, last] of cases) {
    const a = readNpy(readFileSync(sharedDataPath('medicalnet', file)), { name: file });
    assert.deepEqual(a.shape, shape);
    assert.equal(a.dtype, '<f4');
    assert.ok(a.data instanceof Float32Array);
    let s = 0;
    let s2 = 0;
    for (const v of a.data) {
      s += v;
      s2 += v * v;
    }
    assert.ok(Math.abs(s - sum) < 1e-9 * sum, `${file} sum ${s}`);
    assert.ok(Math.abs(s2 - sumSq) < 1e-9 * sumSq, `${file} sum of squares ${s2}`);
    assert.equal(a.data[0], first);
    assert.equal(a.data[a.data.length - 1], last);
  }
});

test('writeNpy output is byte-identical to np.save', () => {
  // /usr/bin/python3 -c "import numpy as np, io, base64; b = io.BytesIO();
  //   np.save(b, (np.arange(24, dtype='<f4')*0.25 - 2).reshape(2,3,4)); print(base64.b64encode(b.getvalue()).decode())"
  // and the same for np.save(b, np.array([np.pi, -1e-300])).
  const f32 = Float32Array.from({ length: 24 }, (_, i) => i * 0.25 - 2);
  assert.deepEqual(
    writeNpy(f32, [2, 3, 4]),
    b64(
      'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMsIDQpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAADAAADgvwAAwL8AAKC/AACAvwAAQL8AAAC/AACAvgAAAAAAAIA+AAAAPwAAQD8AAIA/AACgPwAAwD8AAOA/AAAAQAAAEEAAACBAAAAwQAAAQEAAAFBAAABgQAAAcEA=',
    ),
  );
  assert.deepEqual(
    writeNpy(Float64Array.from([Math.PI, -1e-300]), [2]),
    b64(
      'k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoYLURU+yEJQFnz+MIfbqWB',
    ),
  );
  const back = readNpy(writeNpy(f32, [2, 3, 4]));
  assert.deepEqual(back.shape, [2, 3, 4]);
  assert.deepEqual(Array.from(back.data), Array.from(f32));
  assert.throws(() => writeNpy(f32, [5, 5]), /does not match 24 values/);
});

test('bad files are typed NpyErrors naming the reason', () => {
  const cases: Array<[Uint8Array, RegExp]> = [
    [b64(FORTRAN), /fortran_order is True/],
    [new Uint8Array([1, 2, 3]), /not a \.npy file/],
    [
      b64(NUMPY_FILES[0]?.[1] ?? '').subarray(0, 140),
      /truncated: shape \(2, 3\) of <f4 needs 24 bytes, only 12 present/,
    ],
    [withDescr('<i8'), /unsupported dtype <i8/],
    [withDescr('<c8'), /unsupported dtype <c8/],
    [withDescr('|O8'), /unsupported dtype \|O8/],
  ];
  for (const [bytes, reason] of cases) {
    assert.throws(
      () => readNpy(bytes, { name: 'x.npy' }),
      (e: unknown) =>
        e instanceof NpyError &&
        e.code === 'NPY_INVALID' &&
        reason.test(e.message) &&
        /x\.npy/.test(e.message),
      String(reason),
    );
  }
});

function withDescr(descr: string): Uint8Array {
  const bytes = b64(NUMPY_FILES[0]?.[1] ?? '');
  const text = new TextDecoder('latin1').decode(bytes).replace("'<f4'", `'${descr}'`);
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

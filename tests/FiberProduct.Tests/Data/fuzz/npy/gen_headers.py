"""Generates header cases and NumPy's verdict on each (modern NumPy rules: literal_eval first, the Python 2 'L'
filter only after a SyntaxError in versions 1.0/2.0), using NumPy's own functions. Output: TSV of
major, header hex, verdict."""
import ast, random, sys, warnings, numpy as np
from numpy.lib import format as fmt
warnings.simplefilter('ignore')
rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1500

def verdict(header, major):
    if len(header) > 10000: return 'refuse'
    try:
        try: d = ast.literal_eval(header)
        except SyntaxError:
            if major > 2: return 'refuse'
            d = ast.literal_eval(fmt._filter_header(header))
    except Exception: return 'refuse'
    if not isinstance(d, dict) or d.keys() != {'descr', 'fortran_order', 'shape'}: return 'refuse'
    shape, order, descr = d['shape'], d['fortran_order'], d['descr']
    if not isinstance(shape, tuple) or not all(isinstance(x, int) for x in shape): return 'refuse'
    if any(isinstance(x, bool) for x in shape): return 'refuse'   # NumPy fails to build the array (TypeError)
    if not isinstance(order, bool): return 'refuse'
    try: dt = fmt.descr_to_dtype(descr)
    except Exception: return 'refuse'
    if any(x < 0 for x in shape): return 'refuse'
    import math
    count = math.prod(shape)
    if count >= 2**63: return 'refuse'  # NumPy's int64 element count wraps
    # FiberProduct's documented deviations: the typestr spellings of six dtypes only; int32 dimensions; no \N{}.
    if not isinstance(descr, str) or descr.lstrip('<>=|') not in ('f2','f4','f8','u1','i4','i8') or len(descr) - len(descr.lstrip('<>=|')) > 1:
        return 'refuse'
    if any(x > 2**31 - 1 for x in shape) or count > 2**31 - 57: return 'refuse'
    if '\\N' in header: return 'refuse'
    return 'ok %s %s %s' % (','.join(map(str, shape)), dt.str if dt.str[0] != '|' else '|' + dt.str[1:], order)

P = [0.1]
def weird(): return rng.random() < P[0]

def trivia():
    if not weird(): return rng.choice(['', ' '])
    return rng.choice(['', '', '', ' ', '  ', '\t', '\f', '\n', ' \n  ', '# c\n', '\\\n', ' \\\n ', '\r\n', '\r'])

def string(s):
    if not weird(): return "'%s'" % s
    r = rng.random()
    if r < 0.5: return "'%s'" % s
    if r < 0.6: return '"%s"' % s
    if r < 0.65: return "'''%s'''" % s
    if r < 0.7: return rng.choice(['u', 'r', 'R', 'U', 'b', 'f', 'ur', 'rb']) + "'%s'" % s
    if r < 0.8 and len(s) > 1:
        k = rng.randrange(1, len(s)); return "'%s'%s'%s'" % (s[:k], trivia(), s[k:])
    if r < 0.9 and s:
        k = rng.randrange(len(s))
        esc = rng.choice(['\\x%02x' % ord(s[k]), '\\u%04x' % ord(s[k]), '\\%03o' % ord(s[k]), '\\U%08x' % ord(s[k]), '\\N{DIGIT ONE}', '\\x%x' % ord(s[k]), '\\' + s[k], '\\\n' + s[k]])
        return "'%s%s%s'" % (s[:k], esc, s[k+1:])
    return '(' + trivia() + "'%s'" % s + trivia() + ')'

def integer(n):
    if not weird(): return str(n)
    r = rng.random()
    if r < 0.55: t = str(n)
    elif r < 0.62: t = hex(n)
    elif r < 0.66: t = oct(n)
    elif r < 0.69: t = bin(n)
    elif r < 0.74: t = '_'.join(str(n)) if n > 9 else str(n) + rng.choice(['_', '', '__0'])
    elif r < 0.8: t = str(n) + rng.choice(['L', ' L', 'l', 'L L', 'Lx', '\nL'])
    elif r < 0.84: t = rng.choice(['+', '-', '- ', '--', '+-']) + str(n)
    elif r < 0.87: t = '0' + str(n)
    elif r < 0.9: t = rng.choice(['True', 'False', str(n) + '.0', str(n) + 'j', str(n) + 'e0', "'%d'" % n])
    elif r < 0.95: t = '(' + str(n) + ')'
    else: t = str(n) + rng.choice(['0' * 12, '0' * 25])
    return t

def shape():
    dims = [rng.choice([0, 1, 2, 3, 5, 16, 2147483647, 2147483648]) if weird() else rng.choice([1, 2, 3, 4]) for _ in range(rng.choice([0, 1, 1, 2, 2, 3]))]
    parts = [integer(d) for d in dims]
    sep = lambda: (rng.choice([',', ', ', ',' + trivia(), ',,']) if rng.random() < 0.9 else ' ') if weird() else ', '
    if not parts: body = rng.choice(['', ' ', ',', trivia()]) if weird() else ''
    elif len(parts) == 1: body = parts[0] + (rng.choice([', ', '', ',,']) if weird() else ',')
    else: body = sep().join(parts) + (rng.choice([',', ', ', ',,']) if weird() else '')
    return (rng.choice(['(%s)', '[%s]', '((%s))', '(%s']) if weird() else '(%s)') % body

def literal(depth=0):
    r = rng.random()
    if depth > 2 or r < 0.4: return rng.choice(['1', '-1', '1.5', '1e5', '2j', '1+2j', '-1-2j', '2j+1', 'None', '...', 'True', "'x'", "b'x'", "'a' b'b'", 'set()', 'set(1)', '-True', '--1', '0x', '1_', '09.5', '007', 'x', '\uff53\uff45\uff54()'])
    if r < 0.6: return '(' + ', '.join(literal(depth + 1) for _ in range(rng.randrange(3))) + rng.choice([')', ',)'])
    if r < 0.75: return '[' + ', '.join(literal(depth + 1) for _ in range(rng.randrange(3))) + ']'
    if r < 0.9: return '{' + ', '.join(literal(depth + 1) for _ in range(1, 3)) + '}'
    return '{' + literal(depth + 1) + ': ' + literal(depth + 1) + '}'

def header():
    P[0] = rng.choice([0.0, 0.03, 0.1, 0.25])
    descr = rng.choice(['=f4', '|f4', 'f4', 'float32', '<c8', '|b1', '<u2', "<f4'", '', '<>f4']) if weird() else rng.choice(['<f4', '<f8', '>f8', '<f2', '>f2', '|u1', '<u1', '<i4', '>i4', '<i8', '>i8'])
    items = [(string('descr'), string(descr) if rng.random() < 0.9 else rng.choice(["[('a', '<f4')]", "('<f4', (2,))", '1', "b'<f4'"])),
             (string('fortran_order'), (rng.choice(['(True)', '1', '0', "'False'", 'None']) if weird() else rng.choice(['False', 'True']))),
             (string('shape'), shape())]
    if rng.random() < 0.15: items.append((string(rng.choice(['shape', 'descr', 'fortran_order'])), literal()))
    if rng.random() < 0.05: items.append((string(rng.choice(['extra', 'Shape'])), '1'))
    if rng.random() < 0.05: items.pop(rng.randrange(len(items)))
    rng.shuffle(items)
    if rng.random() < 0.1:  # duplicates resolved last-wins: put a junk copy first
        k = rng.randrange(len(items)); items.insert(0, (items[k][0], literal()))
    text = '{' + trivia() + (',' + trivia()).join(k + trivia() + ':' + trivia() + v for k, v in items) + rng.choice([', ', ',', '', ',,']) + trivia() + '}'
    if weird(): text = rng.choice(['', ' ', '\t', '\n', '\n  ', '# c\n', '\\\n', '\ufeff']) + text
    text += rng.choice([' ' * rng.randrange(60) + '\n']) if not weird() else rng.choice(['', ' ' * rng.randrange(60) + '\n', '\n', '\n  ', '\n\n', ' # x\n', ' \\\n', ',\n', ' 1\n', '\x00'])
    if weird() and rng.random() < 0.3:  # byte-level damage
        i = rng.randrange(len(text) + 1); text = text[:i] + rng.choice(['(', ')', ',', "'", '"', '\\', ':', '{', '}', '#', '\n', '\xe9', '\xa0', 'L', '_']) + text[i:]
    return text

seen = set()
rows = []
while len(rows) < N:
    h = header()
    major = rng.choice([1, 1, 2, 3])
    if major < 3: 
        try: h.encode('latin1')
        except UnicodeEncodeError: major = 3
    if (h, major) in seen: continue
    seen.add((h, major))
    rows.append('%d\t%s\t%s' % (major, h.encode('latin1' if major < 3 else 'utf8').hex(), verdict(h, major)))
print('# NumPy %s (Python %s) on %d generated .npy headers, seed %s: version, header bytes in hex, verdict' % (np.__version__, sys.version.split()[0], N, sys.argv[1] if len(sys.argv) > 1 else 1))
print('\n'.join(rows))

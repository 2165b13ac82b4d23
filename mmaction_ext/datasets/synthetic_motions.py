"""Joint-angle motions of the synthetic action classes.

Each motion adds joint rotations (degrees, per bone named by its child joint
of the NTU RGB+D 25-joint tree) for normalised time ``s`` in [0, 1] of an
action lasting ``dur`` seconds; :func:`add_idle_motion` adds breathing and a
slow sway. :mod:`.synthetic_skeletons` turns the angles into joint positions.
"""
import numpy as np

# Bones (named by their child joint) per side; side = +1 left, -1 right.
_UPPER_ARM, _FOREARM = {1: 5, -1: 9}, {1: 6, -1: 10}
_THIGH, _SHANK, _FOOT = {1: 13, -1: 17}, {1: 14, -1: 18}, {1: 15, -1: 19}
X, Y, Z = 0, 1, 2  # axes; +X flexes a hanging limb forward, +Z rolls it left


def _envelope(s, ramp):
    """Rise over ``ramp``, hold at 1, fall over the last ``ramp`` of s."""
    x = np.clip(np.minimum(s, 1. - s) / ramp, 0., 1.)
    return 0.5 - 0.5 * np.cos(np.pi * x)


def _bumps(s, n, power=1.):
    """``n`` smooth 0 -> 1 -> 0 bumps over s; power < 1 widens plateaus."""
    return (0.5 - 0.5 * np.cos(2 * np.pi * n * s))**power


def _inner(s, margin):
    """Re-map s so [margin, 1 - margin] spans [0, 1] (clipped)."""
    return np.clip((s - margin) / (1. - 2. * margin), 0., 1.)


def _count(rng, dur, period, lo, hi):
    """Repetitions that fit ``dur`` seconds at a random ``period`` range."""
    return int(np.clip(np.round(dur / rng.uniform(*period)), lo, hi))


# Motions add local bone angles (degrees) to ``ang`` (T, 25, 3) given the
# action phase ``s`` (T, ) in [0, 1], its duration ``dur`` (seconds), a
# generator and the acting side (+1 left, -1 right).
def _wave(ang, s, dur, rng, side):
    """Upper arm raised sideways, forearm up and swinging 2-4 times."""
    env, n = _envelope(s, 0.25), _count(rng, dur, (0.4, 0.8), 2, 4)
    up, fore, lift = _UPPER_ARM[side], _FOREARM[side], rng.uniform(80, 120)
    swing = rng.uniform(20, 35) * np.sin(2 * np.pi * n * _inner(s, .2))
    ang[:, up, Z] += side * lift * env
    ang[:, up, X] += rng.uniform(0, 25) * env
    ang[:, fore, Z] += side * ((180 - lift) * env + swing)


def _kick(ang, s, dur, rng, side):
    """Hip flexes fast with the knee chambered, then extended."""
    b = _bumps(_inner(s, .05), _count(rng, dur, (0.8, 1.5), 1, 3), 1.5)
    ang[:, _THIGH[side], X] += rng.uniform(55, 90) * b
    ang[:, _SHANK[side], X] -= rng.uniform(50, 80) * 4 * b * (1 - b)
    ang[:, _FOOT[side], X] -= rng.uniform(0, 20) * b
    ang[:, 1, X] += rng.uniform(3, 10) * b
    for arm in (1, -1):
        ang[:, _UPPER_ARM[arm], Z] += arm * rng.uniform(5, 15) * b


def _nod(ang, s, dur, rng, side):
    """Head and neck pitch forward and back 2-4 times."""
    b = _bumps(s, _count(rng, dur, (0.5, 0.9), 2, 4))
    pitch = rng.uniform(25, 40) * b
    ang[:, 3, X] -= pitch
    ang[:, 2, X] -= rng.uniform(0.3, 0.5) * pitch


def _shake(ang, s, dur, rng, side):
    """Head yaws left-right 2-4 times (with a little roll)."""
    n = _count(rng, dur, (0.5, 0.9), 2, 4)
    yaw = rng.uniform(30, 50) * np.sin(2 * np.pi * n * s) * _envelope(s, .1)
    ang[:, 3, Y] += yaw
    ang[:, 3, Z] += rng.uniform(0.3, 0.45) * yaw  # the Head joint sways
    ang[:, 2, Y] += 0.3 * yaw
    ang[:, 2, Z] += 0.15 * yaw


def _squat(ang, s, dur, rng, side):
    """Hips, knees and ankles flex; the trunk leans and descends."""
    b = _bumps(s, _count(rng, dur, (1.5, 2.5), 1, 2), 0.7)
    hip = rng.uniform(70, 100) * b
    shin = rng.uniform(0.25, 0.35) * hip  # knees forward of the ankles
    for leg in (1, -1):
        ang[:, _THIGH[leg], X] += hip
        ang[:, _SHANK[leg], X] -= hip + shin
        ang[:, _FOOT[leg], X] += shin
        ang[:, _UPPER_ARM[leg], X] += rng.uniform(10, 50) * b
    ang[:, 1, X] -= rng.uniform(20, 40) * b


def _clap(ang, s, dur, rng, side):
    """Forearms forward at chest height; hands meet 3-6 times."""
    env, n = _envelope(s, 0.2), _count(rng, dur, (0.35, 0.6), 3, 6)
    close = _bumps(_inner(s, .15), n)  # 22 deg adduction: hands touch
    upper, fore = rng.uniform(30, 45) * env, rng.uniform(60, 75) * env
    for arm in (1, -1):
        ang[:, _UPPER_ARM[arm], X] += upper
        ang[:, _UPPER_ARM[arm], Y] += arm * 22 * close
        ang[:, _FOREARM[arm], X] += fore


def _raise_arms(ang, s, dur, rng, side):
    """Both arms go sideways up overhead and back down."""
    b = _bumps(_inner(s, .05), _count(rng, dur, (1.2, 2.5), 1, 2), 0.6)
    for arm in (1, -1):
        ang[:, _UPPER_ARM[arm], Z] += arm * rng.uniform(150, 175) * b
        ang[:, _UPPER_ARM[arm], X] += rng.uniform(0, 20) * b
        ang[:, _FOREARM[arm], Z] += arm * rng.uniform(0, 15) * b


def _punch(ang, s, dur, rng, side):
    """Guard at the chest, fast straight jabs forward 1-3 times."""
    env, n = _envelope(s, 0.2), _count(rng, dur, (0.5, 1.0), 1, 3)
    hit = _bumps(_inner(s, .2), n, 2.)  # fast jab out from the guard
    up, fore, guard = _UPPER_ARM[side], _FOREARM[side], rng.uniform(95, 120)
    ang[:, up, X] += rng.uniform(15, 30) * env + rng.uniform(55, 65) * hit
    ang[:, up, Y] += side * 8 * hit
    ang[:, fore, X] += guard * (env - hit)
    ang[:, 20, Y] += side * rng.uniform(5, 15) * hit
    ang[:, _FOREARM[-side], X] += rng.uniform(0, 40) * env


def _bow(ang, s, dur, rng, side):
    """Trunk pitches forward at SpineBase and back; arms hang."""
    b = _bumps(_inner(s, .05), _count(rng, dur, (1.5, 3.0), 1, 2), 0.6)
    bend = rng.uniform(30, 60) * b
    ang[:, 1, X] -= 0.8 * bend
    ang[:, 20, X] -= 0.2 * bend
    for arm in (1, -1):  # arms keep hanging roughly vertically
        ang[:, _UPPER_ARM[arm], X] += rng.uniform(0.6, 1.0) * bend


def _march(ang, s, dur, rng, side):
    """Alternating knee raises with opposite arm swing."""
    env, n = _envelope(s, 0.15), _count(rng, dur, (0.8, 1.4), 2, 4)
    step = rng.choice([-1, 1]) * np.sin(2 * np.pi * n * s)
    knee, swing = rng.uniform(45, 75), rng.uniform(15, 35) * step
    for leg in (1, -1):
        lift = knee * np.clip(leg * step, 0., None)**1.5
        ang[:, _THIGH[leg], X] += lift
        ang[:, _SHANK[leg], X] -= 1.1 * lift
        ang[:, _UPPER_ARM[leg], X] += leg * swing  # opposite arm swings
        ang[:, _FOREARM[leg], X] += rng.uniform(10, 40) * env


# Per class: the motion function and its side (+1 left, -1 right, 0 both).
MOTIONS = ((_wave, -1), (_wave, 1), (_kick, -1), (_kick, 1), (_nod, 0),
           (_shake, 0), (_squat, 0), (_clap, 0), (_raise_arms, 0),
           (_punch, -1), (_bow, 0), (_march, 0))
# (bone, axis, amplitude in degrees) of the idle sway and breathing.
_IDLE = ((1, X, 1.5), (1, Z, 1.5), (20, X, 1.), (3, X, 2.), (3, Y, 2.),
         (5, X, 1.5), (9, X, 1.5))


def add_idle_motion(ang, t, rng):
    """Add breathing and a slow sway (degrees) at frame times ``t`` (s)."""
    for bone, axis, amp in _IDLE:
        freq, phase = rng.uniform(0.15, 0.5), rng.uniform(0, 2 * np.pi)
        ang[:, bone, axis] += amp * np.sin(2 * np.pi * freq * t + phase)

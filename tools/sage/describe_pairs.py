"""SAGE's semantic teacher: four-perspective descriptions of segments.

For every segment of the config's ``<split>_dataloader`` dataset (a
``VidVRDSegmentDataset``: the same segments, trajectories and pairs
training / testing use), asks an OpenAI-compatible vision-language
endpoint for a global description (whole frames), one per track in a pair
(frames cropped to its box: the subject / object descriptions) and one per
pair (frames cropped to the union, subject outlined red, object blue),
sending ``--num-images`` sampled frames as images. Prompts:
``mmaction_ext/text/prompts/sage.py``.

Answers are written to ``<data_prefix.descriptions>/<video_id>.json``
(or ``--out-dir``) after every segment (atomically) and every accepted
answer to an answer cache, so rerunning the same command after an
interruption asks only for what is missing; existing descriptions are
never replaced. With
``--encode CLIP_DIR`` the descriptions are then encoded once by the CLIP
text encoder into ``<video_id>.npz`` (F_text), which
``LoadVidVRDSegmentFeatures(with_descriptions=True)`` reads.

Every file records the teacher that wrote it: ``--teacher`` (default: the
config dataset's ``teacher``, else the model name) and the model
(``--model``). A file of another teacher or model is never added to, and
a config whose dataset names a ``teacher`` refuses files of another one;
``--teacher`` must match that name unless ``--out-dir`` writes elsewhere.

Example::

    export OPENAI_BASE_URL=http://localhost:8000/v1   # e.g. vLLM
    python tools/sage/describe_pairs.py \\
        configs/sage/_base_/datasets/vidvrd.py --split train \\
        --model OpenGVLab/ASMv2 --encode checkpoints/clip-vit-base-patch16
"""
import argparse
import os.path as osp
import sys
from collections import OrderedDict
from typing import Optional, Sequence

from mmengine.config import DictAction

from mmaction_ext.utils import run_tool
from mmaction_ext.utils.errors import BadInputError


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('config', help='config with a VidVRDSegmentDataset')
    parser.add_argument(
        '--split', default='train', choices=('train', 'val', 'test'))
    parser.add_argument(
        '--base-url',
        help='API root (default: $OPENAI_BASE_URL or '
        'https://api.openai.com/v1)')
    parser.add_argument(
        '--model', help='model name (default: $MMACTION_EXT_LLM_MODEL)')
    parser.add_argument(
        '--api-key', help='bearer key (default: $OPENAI_API_KEY)')
    parser.add_argument(
        '--teacher',
        help="teacher name recorded in the files (default: the dataset's "
        '"teacher" in the config, else the model name)')
    parser.add_argument(
        '--out-dir',
        help='write the descriptions here (default: the dataset\'s '
        'data_prefix.descriptions)')
    parser.add_argument('--temperature', type=float, default=0.0)
    parser.add_argument(
        '--cache',
        help='answer cache (default: <descriptions>/answers.cache.jsonl)')
    parser.add_argument('--retries', type=int, default=4)
    parser.add_argument('--backoff', type=float, default=1.0)
    parser.add_argument('--timeout', type=float, default=120.0)
    parser.add_argument(
        '--num-images', type=int, default=3, help='frames per question')
    parser.add_argument(
        '--image-size',
        type=int,
        default=336,
        help='longer side of a sent image')
    parser.add_argument(
        '--name-objects',
        action='store_true',
        help='name the objects by their class (PredCls only: leaks the '
        'ground-truth classes otherwise)')
    parser.add_argument('--videos', nargs='+', help='only these video ids')
    parser.add_argument(
        '--encode',
        metavar='CLIP_DIR',
        help='encode with this CLIP text '
        'encoder (local weights) after describing')
    parser.add_argument(
        '--encode-only',
        action='store_true',
        help='only encode existing descriptions (no requests)')
    parser.add_argument(
        '--reencode',
        action='store_true',
        help='replace encoded files made from other texts / encoder')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, as tools/train.py')
    args = parser.parse_args(argv)
    if args.encode_only and not args.encode:
        parser.error('--encode-only needs --encode CLIP_DIR')
    return args


def grouped_entries(dataset, videos=None):
    groups = OrderedDict()
    for entry in dataset.data_list:
        groups.setdefault(entry['video_id'], []).append(entry)
    if videos:
        unknown = sorted(set(videos) - set(groups))
        if unknown:
            raise BadInputError(f'videos {unknown} are not in the dataset')
        groups = OrderedDict((v, groups[v]) for v in videos)
    return groups


def resolve_teacher(args, dataset) -> Optional[str]:
    """The teacher name to record and to require (None: the model's)."""
    expected = None if args.out_dir else getattr(dataset, 'teacher', None)
    if args.teacher and expected and args.teacher != expected:
        raise BadInputError(
            f'--teacher {args.teacher!r}, but {args.config} reads the '
            f'descriptions of teacher {expected!r} from '
            f'{dataset.data_prefix["descriptions"]}: use the config of '
            f'teacher {args.teacher!r}, or --out-dir to write elsewhere')
    return args.teacher or expected


def describe(args, dataset, groups, folder, teacher) -> dict:
    from tqdm import tqdm

    from mmaction_ext.datasets.vidvrd_feature_extraction import (VideoPlan,
                                                                 open_video)
    from mmaction_ext.datasets.vidvrd_teacher import (SegmentDescriber,
                                                      describe_video)
    from mmaction_ext.text.answer_cache import AnswerCache
    from mmaction_ext.text.llm_client import ChatClient, ChatClientError
    cache = args.cache or osp.join(folder, 'answers.cache.jsonl')
    client = ChatClient(
        base_url=args.base_url,
        model=args.model,
        api_key=args.api_key,
        temperature=args.temperature,
        timeout=args.timeout,
        retries=args.retries,
        backoff=args.backoff,
        cache=AnswerCache(cache))
    teacher = teacher or client.model
    print(f'teacher {teacher!r} (model {client.model!r}) -> {folder}')
    describer = SegmentDescriber(
        client, args.num_images, args.image_size,
        dataset.objects if args.name_objects else None)
    changed = 0
    try:
        for vid, entries in tqdm(groups.items(), desc='videos'):
            reader = open_video(VideoPlan(entries))
            changed += describe_video(describer, entries,
                                      osp.join(folder, f'{vid}.json'), reader,
                                      teacher)
    except ChatClientError as err:
        raise BadInputError(
            f'{" ".join(str(err).split())}; the descriptions so far are in '
            f'{folder} and accepted answers in {cache}; rerun the same '
            'command to resume') from None
    finally:
        client.close()
    return dict(segments=changed, asked=client.asked, cached=client.cached)


def encode(args, groups, folder, teacher) -> int:
    from mmaction_ext.datasets.vidvrd_teacher import \
        encode_video_descriptions
    from mmaction_ext.models.text_encoders import CLIPTextEncoder
    from mmaction_ext.text.embedding_cache import encoder_identity
    if not osp.exists(args.encode):
        raise FileNotFoundError(f'--encode {args.encode} does not exist')
    encoder = CLIPTextEncoder(pretrained=args.encode, frozen=True).eval()
    key = encoder_identity(
        dict(type='CLIPTextEncoder', pretrained=args.encode))
    written = 0
    for vid, entries in groups.items():
        written += encode_video_descriptions(
            encoder,
            key,
            entries,
            osp.join(folder, f'{vid}.json'),
            osp.join(folder, f'{vid}.npz'),
            args.reencode,
            teacher=teacher)
    return written


def main(argv: Optional[Sequence[str]] = None) -> int:
    from mmaction_ext.datasets.vidvrd_annotation import VidVRDFormatError
    from mmaction_ext.datasets.vidvrd_feature_extraction import \
        config_dataset
    from mmaction_ext.text.answer_cache import AnswerCacheError
    args = parse_args(argv)
    try:
        dataset = config_dataset(args.config, args.split, args.cfg_options)
        folder = args.out_dir or dataset.data_prefix['descriptions']
        if not folder:
            raise BadInputError(f'{args.config}: the dataset has no '
                                'data_prefix.descriptions folder (or pass '
                                '--out-dir)')
        teacher = resolve_teacher(args, dataset)
        groups = grouped_entries(dataset, args.videos)
        if not args.encode_only:
            summary = describe(args, dataset, groups, folder, teacher)
            print(f'{len(groups)} videos: {summary["segments"]} segments '
                  f'described ({summary["asked"]} answers asked, '
                  f'{summary["cached"]} from the cache)')
        if args.encode:
            written = encode(args, groups, folder, teacher)
            print(f'{written} encoded description files written, '
                  f'{len(groups) - written} already up to date')
    except (VidVRDFormatError, AnswerCacheError, KeyError, ValueError) as err:
        if isinstance(err, BadInputError):
            raise
        message = err.args[0] if isinstance(err, KeyError) else str(err)
        raise BadInputError(message) from None
    return 0


if __name__ == '__main__':
    sys.exit(run_tool(lambda: main(sys.argv[1:])))

# ImageNet-VidVRD SGDet: as vidvrd.py, tested on detected tracklets
# (a tracklet file, e.g. converted from RePro's released ones).
_base_ = ['./vidvrd.py']

det_prefix = dict(
    video='data/vidvrd/videos',
    features='data/vidvrd/features/clip_vit_b16_det',
    descriptions='data/vidvrd/descriptions/asmv2/clip_vit_b16_det')
val_dataloader = dict(
    dataset=dict(
        trajectories='tracklets',
        tracklet_file='data/vidvrd/tracklets/test_det.json',
        data_prefix=det_prefix))
test_dataloader = val_dataloader

# VidOR SGDet: as vidor.py, tested on detected tracklets
# (a tracklet file, e.g. converted from OV-MMP's released ones).
_base_ = ['./vidor.py']

det_prefix = dict(
    video='data/vidor/video',
    features='data/vidor/features/clip_vit_b16_det',
    descriptions='data/vidor/descriptions/asmv2/clip_vit_b16_det')
val_dataloader = dict(
    dataset=dict(
        trajectories='tracklets',
        tracklet_file='data/vidor/tracklets/validation_det.json',
        data_prefix=det_prefix))
test_dataloader = val_dataloader

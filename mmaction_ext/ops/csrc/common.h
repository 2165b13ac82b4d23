// Scalar helpers shared by the CPU and CUDA kernels (host and device code).
#pragma once
#include <cmath>

#ifdef __CUDACC__
#define MMACTION_EXT_HD __host__ __device__ __forceinline__
#else
#define MMACTION_EXT_HD inline
#endif

namespace mmaction_ext {

// Geometry of one RoI, following mmcv 2.1's roi_align kernels.
template <typename T>
struct RoIGeometry {
  int64_t batch;
  T y1, x1, bin_h, bin_w;
  int grid_h, grid_w;
};

template <typename T>
MMACTION_EXT_HD RoIGeometry<T> roi_geometry(const T* roi, int out_h,
                                            int out_w, T spatial_scale,
                                            int sampling_ratio, bool aligned) {
  RoIGeometry<T> g;
  g.batch = static_cast<int64_t>(roi[0]);
  const T offset = aligned ? T(0.5) : T(0);
  g.x1 = roi[1] * spatial_scale - offset;
  g.y1 = roi[2] * spatial_scale - offset;
  T width = roi[3] * spatial_scale - offset - g.x1;
  T height = roi[4] * spatial_scale - offset - g.y1;
  if (!aligned) {
    width = width > T(1) ? width : T(1);
    height = height > T(1) ? height : T(1);
  }
  g.bin_h = height / out_h;
  g.bin_w = width / out_w;
  g.grid_h = sampling_ratio > 0 ? sampling_ratio
                                : static_cast<int>(ceil(height / out_h));
  g.grid_w = sampling_ratio > 0 ? sampling_ratio
                                : static_cast<int>(ceil(width / out_w));
  return g;
}

// mmcv's 1-D bilinear rule: a point more than one pixel outside gets zero
// weights; coordinates are clamped at 0 and at size - 1.
template <typename T>
struct AxisTap {
  int low, high;
  T w_low, w_high;
};

template <typename T>
MMACTION_EXT_HD AxisTap<T> axis_tap(T coord, int size) {
  AxisTap<T> tap;
  if (coord < T(-1) || coord > T(size)) {
    tap.low = tap.high = 0;
    tap.w_low = tap.w_high = T(0);
    return tap;
  }
  if (coord <= T(0)) coord = T(0);
  tap.low = static_cast<int>(coord);
  if (tap.low >= size - 1) {
    tap.low = tap.high = size - 1;
    coord = static_cast<T>(tap.low);
  } else {
    tap.high = tap.low + 1;
  }
  const T frac = coord - tap.low;
  tap.w_low = T(1) - frac;
  tap.w_high = frac;
  return tap;
}

// Bilinear value of one sample point of a (height, width) plane.
template <typename T>
MMACTION_EXT_HD T sample_value(const T* plane, int width, AxisTap<T> ty,
                               AxisTap<T> tx) {
  return ty.w_low * (tx.w_low * plane[ty.low * width + tx.low] +
                     tx.w_high * plane[ty.low * width + tx.high]) +
         ty.w_high * (tx.w_low * plane[ty.high * width + tx.low] +
                      tx.w_high * plane[ty.high * width + tx.high]);
}

// Sample coordinate of point `step` of bin `bin` (mmcv's formula).
template <typename T>
MMACTION_EXT_HD T sample_coord(T start, T bin_size, int bin, int step,
                               int grid) {
  return start + bin * bin_size + (step + T(0.5)) * bin_size / grid;
}

// Weight of a pixel centre in [low, high] with a soft border (0 = hard).
template <typename T>
MMACTION_EXT_HD T box_weight(T centre, T low, T high, T border) {
  if (border == T(0)) return (centre >= low && centre <= high) ? T(1) : T(0);
  T distance = centre - low < high - centre ? centre - low : high - centre;
  T w = T(0.5) + distance / border;
  return w < T(0) ? T(0) : (w > T(1) ? T(1) : w);
}

// Overlap sum and vIoU of two trajectories (VidVRD definition).
template <typename T>
MMACTION_EXT_HD double pair_viou(const T* boxes1, int64_t begin1,
                                 int64_t end1, double volume1,
                                 const T* boxes2, int64_t begin2,
                                 int64_t end2, double volume2) {
  const int64_t begin = begin1 > begin2 ? begin1 : begin2;
  const int64_t end = end1 < end2 ? end1 : end2;
  if (begin >= end) return 0.0;
  double overlap = 0.0;
  for (int64_t t = begin; t < end; ++t) {
    const T* a = boxes1 + (t - begin1) * 4;
    const T* b = boxes2 + (t - begin2) * 4;
    const double iw = fmin(double(a[2]), double(b[2])) -
                      fmax(double(a[0]), double(b[0])) + 1.0;
    const double ih = fmin(double(a[3]), double(b[3])) -
                      fmax(double(a[1]), double(b[1])) + 1.0;
    if (iw > 0 && ih > 0) overlap += iw * ih;
  }
  return overlap / (volume1 + volume2 - overlap);
}

}  // namespace mmaction_ext

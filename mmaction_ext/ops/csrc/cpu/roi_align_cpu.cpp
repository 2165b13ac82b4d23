// RoIAlign on CPU with mmcv 2.1's semantics.
//
// Average pooling is separable (bilinear weights are a y part times an x
// part and the sample grid is a product grid), so per RoI we merge every
// sample of a bin into a short list of (row, weight) and (col, weight)
// taps. One output channel then costs a pass over the taps' rows for each
// output row and a short dot product per output bin, instead of four
// bilinear reads per sample point. Max pooling visits every sample point.
// Forward parallelises over (RoI, channel); backward over channels, so no
// two threads write the same gradient plane.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "../common.h"
#include "../ops.h"

namespace mmaction_ext {
namespace {

// Merged taps of every bin of one axis of one RoI: bin b owns entries
// [offset[b], offset[b + 1]) of index/weight.
template <typename T>
struct MergedTaps {
  std::vector<int> index;
  std::vector<T> weight;
  std::vector<int> offset;
  int first = 0, last = -1;  // pixel range touched by all bins
};

template <typename T>
void add_tap(MergedTaps<T>& taps, int begin, int pixel, T weight) {
  if (weight == T(0)) return;
  for (size_t i = begin; i < taps.index.size(); ++i) {
    if (taps.index[i] == pixel) {
      taps.weight[i] += weight;
      return;
    }
  }
  taps.index.push_back(pixel);
  taps.weight.push_back(weight);
  if (taps.last < taps.first) {
    taps.first = taps.last = pixel;
  } else {
    taps.first = std::min(taps.first, pixel);
    taps.last = std::max(taps.last, pixel);
  }
}

template <typename T>
MergedTaps<T> merged_taps(T start, T bin_size, int bins, int grid,
                          int size) {
  MergedTaps<T> taps;
  taps.offset.push_back(0);
  for (int b = 0; b < bins; ++b) {
    const int begin = static_cast<int>(taps.index.size());
    for (int s = 0; s < grid; ++s) {
      AxisTap<T> tap = axis_tap(sample_coord(start, bin_size, b, s, grid),
                                size);
      add_tap(taps, begin, tap.low, tap.w_low / grid);
      add_tap(taps, begin, tap.high, tap.w_high / grid);
    }
    taps.offset.push_back(static_cast<int>(taps.index.size()));
  }
  return taps;
}

template <typename T>
struct RoIPlan {
  RoIGeometry<T> geo;
  MergedTaps<T> y, x;
};

template <typename T>
std::vector<RoIPlan<T>> plan_rois(const at::Tensor& rois, int out_h,
                                  int out_w, int height, int width,
                                  double spatial_scale, int sampling_ratio,
                                  bool aligned, bool use_max) {
  const T* roi = rois.data_ptr<T>();
  std::vector<RoIPlan<T>> plans(rois.size(0));
  at::parallel_for(0, rois.size(0), 16, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      RoIPlan<T>& plan = plans[r];
      plan.geo = roi_geometry<T>(roi + r * 5, out_h, out_w,
                                 static_cast<T>(spatial_scale),
                                 sampling_ratio, aligned);
      if (use_max) continue;
      plan.y = merged_taps(plan.geo.y1, plan.geo.bin_h, out_h,
                           plan.geo.grid_h, height);
      plan.x = merged_taps(plan.geo.x1, plan.geo.bin_w, out_w,
                           plan.geo.grid_w, width);
    }
  });
  return plans;
}

// out (out_h, out_w) of one channel plane (height, width); rows: scratch.
template <typename T>
void avg_forward(const RoIPlan<T>& plan, const T* plane, int width,
                 int out_h, int out_w, T* out, std::vector<T>& rows) {
  const int first = plan.x.first, cols = plan.x.last - plan.x.first + 1;
  if (cols <= 0 || plan.y.last < plan.y.first) {
    std::fill(out, out + out_h * out_w, T(0));
    return;
  }
  rows.assign(cols, T(0));
  for (int ph = 0; ph < out_h; ++ph) {
    std::fill(rows.begin(), rows.end(), T(0));
    for (int i = plan.y.offset[ph]; i < plan.y.offset[ph + 1]; ++i) {
      const T wy = plan.y.weight[i];
      const T* src = plane + plan.y.index[i] * width + first;
      for (int c = 0; c < cols; ++c) rows[c] += wy * src[c];
    }
    for (int pw = 0; pw < out_w; ++pw) {
      T sum = 0;
      for (int j = plan.x.offset[pw]; j < plan.x.offset[pw + 1]; ++j)
        sum += plan.x.weight[j] * rows[plan.x.index[j] - first];
      out[ph * out_w + pw] = sum;
    }
  }
}

template <typename T>
void avg_backward(const RoIPlan<T>& plan, const T* grad_out, int width,
                  int out_h, int out_w, T* grad_plane, std::vector<T>& rows) {
  const int first = plan.x.first, cols = plan.x.last - plan.x.first + 1;
  if (cols <= 0 || plan.y.last < plan.y.first) return;
  rows.assign(cols, T(0));
  for (int ph = 0; ph < out_h; ++ph) {
    std::fill(rows.begin(), rows.end(), T(0));
    for (int pw = 0; pw < out_w; ++pw) {
      const T g = grad_out[ph * out_w + pw];
      for (int j = plan.x.offset[pw]; j < plan.x.offset[pw + 1]; ++j)
        rows[plan.x.index[j] - first] += plan.x.weight[j] * g;
    }
    for (int i = plan.y.offset[ph]; i < plan.y.offset[ph + 1]; ++i) {
      const T wy = plan.y.weight[i];
      T* dst = grad_plane + plan.y.index[i] * width + first;
      for (int c = 0; c < cols; ++c) dst[c] += wy * rows[c];
    }
  }
}

template <typename T>
void max_forward(const RoIGeometry<T>& g, const T* plane, int height,
                 int width, int out_h, int out_w, T* out, int64_t* argmax) {
  for (int ph = 0; ph < out_h; ++ph) {
    for (int pw = 0; pw < out_w; ++pw) {
      T best = -std::numeric_limits<T>::infinity();
      int64_t best_index = -1;
      for (int iy = 0; iy < g.grid_h; ++iy) {
        AxisTap<T> ty = axis_tap(sample_coord(g.y1, g.bin_h, ph, iy,
                                              g.grid_h), height);
        for (int ix = 0; ix < g.grid_w; ++ix) {
          AxisTap<T> tx = axis_tap(sample_coord(g.x1, g.bin_w, pw, ix,
                                                g.grid_w), width);
          const T value = sample_value(plane, width, ty, tx);
          if (value > best) {
            best = value;
            best_index = iy * g.grid_w + ix;
          }
        }
      }
      out[ph * out_w + pw] = best_index < 0 ? T(0) : best;
      argmax[ph * out_w + pw] = best_index;
    }
  }
}

template <typename T>
void max_backward(const RoIGeometry<T>& g, const T* grad_out,
                  const int64_t* argmax, int height, int width, int out_h,
                  int out_w, T* grad_plane) {
  for (int ph = 0; ph < out_h; ++ph) {
    for (int pw = 0; pw < out_w; ++pw) {
      const int64_t index = argmax[ph * out_w + pw];
      if (index < 0) continue;
      const T grad = grad_out[ph * out_w + pw];
      AxisTap<T> ty = axis_tap(sample_coord(g.y1, g.bin_h, ph,
                                            int(index / g.grid_w), g.grid_h),
                               height);
      AxisTap<T> tx = axis_tap(sample_coord(g.x1, g.bin_w, pw,
                                            int(index % g.grid_w), g.grid_w),
                               width);
      grad_plane[ty.low * width + tx.low] += grad * ty.w_low * tx.w_low;
      grad_plane[ty.low * width + tx.high] += grad * ty.w_low * tx.w_high;
      grad_plane[ty.high * width + tx.low] += grad * ty.w_high * tx.w_low;
      grad_plane[ty.high * width + tx.high] += grad * ty.w_high * tx.w_high;
    }
  }
}

}  // namespace

std::vector<at::Tensor> roi_align_forward_cpu(const at::Tensor& input,
                                              const at::Tensor& rois,
                                              int64_t out_h, int64_t out_w,
                                              double spatial_scale,
                                              int64_t sampling_ratio,
                                              bool use_max, bool aligned) {
  const int64_t num_rois = rois.size(0), channels = input.size(1);
  const int height = input.size(2), width = input.size(3);
  at::Tensor output =
      at::zeros({num_rois, channels, out_h, out_w}, input.options());
  at::Tensor argmax = at::full({use_max ? num_rois : 0, channels, out_h,
                                out_w},
                               -1, input.options().dtype(at::kLong));
  if (num_rois == 0) return {output, argmax};
  AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "roi_align_forward", [&] {
    auto plans = plan_rois<scalar_t>(rois, out_h, out_w, height, width,
                                     spatial_scale, sampling_ratio, aligned,
                                     use_max);
    const scalar_t* in = input.data_ptr<scalar_t>();
    scalar_t* out = output.data_ptr<scalar_t>();
    int64_t* arg = argmax.data_ptr<int64_t>();
    const int64_t plane = int64_t(height) * width, bins = out_h * out_w;
    at::parallel_for(0, num_rois * channels, 8, [&](int64_t b, int64_t e) {
      std::vector<scalar_t> rows;
      for (int64_t rc = b; rc < e; ++rc) {
        const RoIPlan<scalar_t>& p = plans[rc / channels];
        const scalar_t* src =
            in + (p.geo.batch * channels + rc % channels) * plane;
        if (use_max)
          max_forward(p.geo, src, height, width, out_h, out_w,
                      out + rc * bins, arg + rc * bins);
        else
          avg_forward(p, src, width, out_h, out_w, out + rc * bins, rows);
      }
    });
  });
  return {output, argmax};
}

at::Tensor roi_align_backward_cpu(const at::Tensor& grad_output,
                                  const at::Tensor& rois,
                                  const at::Tensor& argmax, int64_t batch,
                                  int64_t channels, int64_t height,
                                  int64_t width, double spatial_scale,
                                  int64_t sampling_ratio, bool use_max,
                                  bool aligned) {
  at::Tensor grad_input =
      at::zeros({batch, channels, height, width}, grad_output.options());
  const int64_t num_rois = rois.size(0);
  const int out_h = grad_output.size(2), out_w = grad_output.size(3);
  if (num_rois == 0) return grad_input;
  AT_DISPATCH_FLOATING_TYPES(
      grad_output.scalar_type(), "roi_align_backward", [&] {
        auto plans = plan_rois<scalar_t>(rois, out_h, out_w, height, width,
                                         spatial_scale, sampling_ratio,
                                         aligned, use_max);
        const scalar_t* grad = grad_output.data_ptr<scalar_t>();
        scalar_t* grad_in = grad_input.data_ptr<scalar_t>();
        const int64_t* arg = use_max ? argmax.data_ptr<int64_t>() : nullptr;
        const int64_t plane = height * width, bins = out_h * out_w;
        at::parallel_for(0, channels, 1, [&](int64_t cb, int64_t ce) {
          std::vector<scalar_t> rows;
          for (int64_t c = cb; c < ce; ++c) {
            for (int64_t r = 0; r < num_rois; ++r) {
              const RoIPlan<scalar_t>& p = plans[r];
              scalar_t* dst = grad_in + (p.geo.batch * channels + c) * plane;
              const int64_t at = (r * channels + c) * bins;
              if (use_max)
                max_backward(p.geo, grad + at, arg + at, height, width,
                             out_h, out_w, dst);
              else
                avg_backward(p, grad + at, width, out_h, out_w, dst, rows);
            }
          }
        });
      });
  return grad_input;
}

}  // namespace mmaction_ext

// RoIAlign on CPU with mmcv 2.1's semantics.
//
// Average pooling is separable (bilinear weights are a y part times an x
// part and the sample grid is a product grid), so per RoI we merge every
// sample of a bin into a short list of (row, weight) and (col, weight)
// taps, and work on a channels-last copy of the input: an output row of a
// RoI is a few contiguous (columns x channels) AXPYs, an output bin a few
// channel-vector AXPYs, all of which the compiler vectorises. Forward
// parallelises over RoIs; backward over channel blocks, so no two threads
// write the same gradient element. Max pooling visits every sample point
// of each channel plane (mmcv's way).
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

// Output (channels, out_h * out_w) of one RoI from the channels-last input
// (height, width, channels) of its image. rows, bins: scratch buffers.
template <typename T>
void avg_forward(const RoIPlan<T>& plan, const T* image, int width,
                 int channels, int out_h, int out_w, T* out,
                 std::vector<T>& rows, std::vector<T>& bins) {
  const int first = plan.x.first, cols = plan.x.last - plan.x.first + 1;
  const int num_bins = out_h * out_w;
  if (cols <= 0 || plan.y.last < plan.y.first) return;  // stays zero
  rows.assign(int64_t(cols) * channels, T(0));
  bins.assign(int64_t(num_bins) * channels, T(0));
  for (int ph = 0; ph < out_h; ++ph) {
    T* __restrict row = rows.data();
    std::fill(rows.begin(), rows.end(), T(0));
    for (int i = plan.y.offset[ph]; i < plan.y.offset[ph + 1]; ++i) {
      const T wy = plan.y.weight[i];
      const T* __restrict src =
          image + (int64_t(plan.y.index[i]) * width + first) * channels;
      for (int64_t k = 0; k < int64_t(cols) * channels; ++k)
        row[k] += wy * src[k];
    }
    for (int pw = 0; pw < out_w; ++pw) {
      T* __restrict dst = bins.data() + int64_t(ph * out_w + pw) * channels;
      for (int j = plan.x.offset[pw]; j < plan.x.offset[pw + 1]; ++j) {
        const T wx = plan.x.weight[j];
        const T* __restrict src =
            row + int64_t(plan.x.index[j] - first) * channels;
        for (int c = 0; c < channels; ++c) dst[c] += wx * src[c];
      }
    }
  }
  for (int c = 0; c < channels; ++c)
    for (int b = 0; b < num_bins; ++b)
      out[int64_t(c) * num_bins + b] = bins[int64_t(b) * channels + c];
}

// Adds one RoI's gradient, channels [c0, c0 + cs), into the channels-last
// gradient (height, width, channels) of its image.
template <typename T>
void avg_backward(const RoIPlan<T>& plan, const T* grad_out, int width,
                  int channels, int c0, int cs, int out_h, int out_w,
                  T* grad_image, std::vector<T>& rows, std::vector<T>& bins) {
  const int first = plan.x.first, cols = plan.x.last - plan.x.first + 1;
  const int num_bins = out_h * out_w;
  if (cols <= 0 || plan.y.last < plan.y.first) return;
  bins.resize(int64_t(num_bins) * cs);
  for (int c = 0; c < cs; ++c)
    for (int b = 0; b < num_bins; ++b)
      bins[int64_t(b) * cs + c] = grad_out[int64_t(c0 + c) * num_bins + b];
  rows.resize(int64_t(cols) * cs);
  for (int ph = 0; ph < out_h; ++ph) {
    T* __restrict row = rows.data();
    std::fill(rows.begin(), rows.end(), T(0));
    for (int pw = 0; pw < out_w; ++pw) {
      const T* __restrict g = bins.data() + int64_t(ph * out_w + pw) * cs;
      for (int j = plan.x.offset[pw]; j < plan.x.offset[pw + 1]; ++j) {
        const T wx = plan.x.weight[j];
        T* __restrict dst = row + int64_t(plan.x.index[j] - first) * cs;
        for (int c = 0; c < cs; ++c) dst[c] += wx * g[c];
      }
    }
    for (int i = plan.y.offset[ph]; i < plan.y.offset[ph + 1]; ++i) {
      const T wy = plan.y.weight[i];
      T* base = grad_image +
                (int64_t(plan.y.index[i]) * width + first) * channels + c0;
      for (int x = 0; x < cols; ++x) {
        T* __restrict dst = base + int64_t(x) * channels;
        const T* __restrict src = row + int64_t(x) * cs;
        for (int c = 0; c < cs; ++c) dst[c] += wy * src[c];
      }
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
    scalar_t* out = output.data_ptr<scalar_t>();
    const int64_t bins = out_h * out_w;
    if (use_max) {
      const scalar_t* in = input.data_ptr<scalar_t>();
      int64_t* arg = argmax.data_ptr<int64_t>();
      const int64_t plane = int64_t(height) * width;
      at::parallel_for(0, num_rois * channels, 8, [&](int64_t b, int64_t e) {
        for (int64_t rc = b; rc < e; ++rc) {
          const RoIPlan<scalar_t>& p = plans[rc / channels];
          max_forward(p.geo,
                      in + (p.geo.batch * channels + rc % channels) * plane,
                      height, width, out_h, out_w, out + rc * bins,
                      arg + rc * bins);
        }
      });
      return;
    }
    const at::Tensor last = input.permute({0, 2, 3, 1}).contiguous();
    const scalar_t* in = last.data_ptr<scalar_t>();
    const int64_t image = int64_t(height) * width * channels;
    at::parallel_for(0, num_rois, 1, [&](int64_t b, int64_t e) {
      std::vector<scalar_t> rows, scratch;
      for (int64_t r = b; r < e; ++r)
        avg_forward(plans[r], in + plans[r].geo.batch * image, width,
                    channels, out_h, out_w, out + r * channels * bins, rows,
                    scratch);
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
        const int64_t bins = out_h * out_w;
        if (use_max) {
          scalar_t* grad_in = grad_input.data_ptr<scalar_t>();
          const int64_t* arg = argmax.data_ptr<int64_t>();
          const int64_t plane = height * width;
          at::parallel_for(0, channels, 1, [&](int64_t cb, int64_t ce) {
            for (int64_t c = cb; c < ce; ++c)
              for (int64_t r = 0; r < num_rois; ++r) {
                const RoIPlan<scalar_t>& p = plans[r];
                const int64_t at = (r * channels + c) * bins;
                max_backward(p.geo, grad + at, arg + at, height, width, out_h,
                             out_w,
                             grad_in + (p.geo.batch * channels + c) * plane);
              }
          });
          return;
        }
        at::Tensor grad_last = at::zeros({batch, height, width, channels},
                                         grad_output.options());
        scalar_t* grad_in = grad_last.data_ptr<scalar_t>();
        const int64_t image = height * width * channels;
        const int64_t block = 64;
        at::parallel_for(
            0, (channels + block - 1) / block, 1, [&](int64_t bb, int64_t be) {
              std::vector<scalar_t> rows, scratch;
              for (int64_t blk = bb; blk < be; ++blk) {
                const int c0 = blk * block;
                const int cs = std::min<int64_t>(block, channels - c0);
                for (int64_t r = 0; r < num_rois; ++r)
                  avg_backward(plans[r], grad + r * channels * bins, width,
                               channels, c0, cs, out_h, out_w,
                               grad_in + plans[r].geo.batch * image, rows,
                               scratch);
              }
            });
        grad_input.copy_(grad_last.permute({0, 3, 1, 2}));
      });
  return grad_input;
}

}  // namespace mmaction_ext

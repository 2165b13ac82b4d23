// RoIAlign on CUDA with mmcv 2.1's semantics: one thread per output bin
// visits the bin's sample points; backward scatters with atomics.
#include <ATen/cuda/Atomic.cuh>

#include "../common.h"
#include "../ops.h"
#include "cuda_helpers.cuh"

namespace mmaction_ext {
namespace {

template <typename T>
__global__ void roi_align_forward_kernel(int64_t total, const T* input,
                                         const T* rois, T* output,
                                         int64_t* argmax, int channels,
                                         int height, int width, int out_h,
                                         int out_w, T scale, int ratio,
                                         bool use_max, bool aligned) {
  CUDA_1D_KERNEL_LOOP(index, total) {
    const int pw = index % out_w;
    const int ph = (index / out_w) % out_h;
    const int c = (index / out_w / out_h) % channels;
    const int64_t r = index / out_w / out_h / channels;
    const RoIGeometry<T> g =
        roi_geometry<T>(rois + r * 5, out_h, out_w, scale, ratio, aligned);
    const T* plane = input + (g.batch * channels + c) * height * width;
    T sum = 0, best = 0;
    int64_t best_index = -1;
    for (int iy = 0; iy < g.grid_h; ++iy) {
      const AxisTap<T> ty =
          axis_tap(sample_coord(g.y1, g.bin_h, ph, iy, g.grid_h), height);
      for (int ix = 0; ix < g.grid_w; ++ix) {
        const AxisTap<T> tx =
            axis_tap(sample_coord(g.x1, g.bin_w, pw, ix, g.grid_w), width);
        const T value = sample_value(plane, width, ty, tx);
        sum += value;
        if (best_index < 0 || value > best) {
          best = value;
          best_index = iy * g.grid_w + ix;
        }
      }
    }
    if (use_max) {
      output[index] = best;
      argmax[index] = best_index;
    } else {
      const int count = g.grid_h * g.grid_w;
      output[index] = count > 0 ? sum / count : T(0);
    }
  }
}

template <typename T>
__device__ void scatter_sample(T* plane, int width, AxisTap<T> ty,
                               AxisTap<T> tx, T grad) {
  gpuAtomicAdd(plane + ty.low * width + tx.low, grad * ty.w_low * tx.w_low);
  gpuAtomicAdd(plane + ty.low * width + tx.high,
               grad * ty.w_low * tx.w_high);
  gpuAtomicAdd(plane + ty.high * width + tx.low,
               grad * ty.w_high * tx.w_low);
  gpuAtomicAdd(plane + ty.high * width + tx.high,
               grad * ty.w_high * tx.w_high);
}

template <typename T>
__global__ void roi_align_backward_kernel(int64_t total, const T* grad_out,
                                          const T* rois,
                                          const int64_t* argmax, T* grad_in,
                                          int channels, int height, int width,
                                          int out_h, int out_w, T scale,
                                          int ratio, bool use_max,
                                          bool aligned) {
  CUDA_1D_KERNEL_LOOP(index, total) {
    const int pw = index % out_w;
    const int ph = (index / out_w) % out_h;
    const int c = (index / out_w / out_h) % channels;
    const int64_t r = index / out_w / out_h / channels;
    const RoIGeometry<T> g =
        roi_geometry<T>(rois + r * 5, out_h, out_w, scale, ratio, aligned);
    T* plane = grad_in + (g.batch * channels + c) * height * width;
    const T grad = grad_out[index];
    if (use_max) {
      const int64_t best = argmax[index];
      if (best < 0) continue;
      const int iy = best / g.grid_w, ix = best % g.grid_w;
      scatter_sample(
          plane, width,
          axis_tap(sample_coord(g.y1, g.bin_h, ph, iy, g.grid_h), height),
          axis_tap(sample_coord(g.x1, g.bin_w, pw, ix, g.grid_w), width),
          grad);
      continue;
    }
    const int count = g.grid_h * g.grid_w;
    if (count == 0) continue;
    for (int iy = 0; iy < g.grid_h; ++iy) {
      const AxisTap<T> ty =
          axis_tap(sample_coord(g.y1, g.bin_h, ph, iy, g.grid_h), height);
      for (int ix = 0; ix < g.grid_w; ++ix)
        scatter_sample(
            plane, width, ty,
            axis_tap(sample_coord(g.x1, g.bin_w, pw, ix, g.grid_w), width),
            grad / count);
    }
  }
}

}  // namespace

std::vector<at::Tensor> roi_align_forward_cuda(const at::Tensor& input,
                                               const at::Tensor& rois,
                                               int64_t out_h, int64_t out_w,
                                               double spatial_scale,
                                               int64_t sampling_ratio,
                                               bool use_max, bool aligned) {
  c10::cuda::CUDAGuard guard(input.device());
  const int64_t num_rois = rois.size(0), channels = input.size(1);
  at::Tensor output =
      at::zeros({num_rois, channels, out_h, out_w}, input.options());
  at::Tensor argmax =
      at::full({use_max ? num_rois : 0, channels, out_h, out_w}, -1,
               input.options().dtype(at::kLong));
  const int64_t total = output.numel();
  if (total == 0) return {output, argmax};
  AT_DISPATCH_FLOATING_TYPES(input.scalar_type(), "roi_align_forward", [&] {
    roi_align_forward_kernel<scalar_t>
        <<<blocks_for(total), kThreadsPerBlock, 0,
           c10::cuda::getCurrentCUDAStream()>>>(
            total, input.data_ptr<scalar_t>(), rois.data_ptr<scalar_t>(),
            output.data_ptr<scalar_t>(),
            use_max ? argmax.data_ptr<int64_t>() : nullptr, channels,
            input.size(2), input.size(3), out_h, out_w,
            static_cast<scalar_t>(spatial_scale), sampling_ratio, use_max,
            aligned);
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return {output, argmax};
}

at::Tensor roi_align_backward_cuda(const at::Tensor& grad_output,
                                   const at::Tensor& rois,
                                   const at::Tensor& argmax, int64_t batch,
                                   int64_t channels, int64_t height,
                                   int64_t width, double spatial_scale,
                                   int64_t sampling_ratio, bool use_max,
                                   bool aligned) {
  c10::cuda::CUDAGuard guard(grad_output.device());
  at::Tensor grad_input =
      at::zeros({batch, channels, height, width}, grad_output.options());
  const int64_t total = grad_output.numel();
  if (total == 0) return grad_input;
  AT_DISPATCH_FLOATING_TYPES(
      grad_output.scalar_type(), "roi_align_backward", [&] {
        roi_align_backward_kernel<scalar_t>
            <<<blocks_for(total), kThreadsPerBlock, 0,
               c10::cuda::getCurrentCUDAStream()>>>(
                total, grad_output.data_ptr<scalar_t>(),
                rois.data_ptr<scalar_t>(),
                use_max ? argmax.data_ptr<int64_t>() : nullptr,
                grad_input.data_ptr<scalar_t>(), channels, height, width,
                grad_output.size(2), grad_output.size(3),
                static_cast<scalar_t>(spatial_scale), sampling_ratio,
                use_max, aligned);
      });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return grad_input;
}

}  // namespace mmaction_ext

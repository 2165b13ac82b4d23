// Box-to-likelihood-map rasteriser on CUDA: one thread per map pixel visits
// the boxes of its map (boxes arrive sorted by map, with offsets).
#include "../common.h"
#include "../ops.h"
#include "cuda_helpers.cuh"

namespace mmaction_ext {
namespace {

template <typename T>
__global__ void likelihood_maps_kernel(int64_t total, const T* boxes,
                                       const T* scores,
                                       const int64_t* offsets, T* maps,
                                       int height, int width, T border) {
  CUDA_1D_KERNEL_LOOP(index, total) {
    const int j = index % width;
    const int i = (index / width) % height;
    const int64_t m = index / width / height;
    const T cx = j + T(0.5), cy = i + T(0.5);
    T best = 0;
    for (int64_t k = offsets[m]; k < offsets[m + 1]; ++k) {
      const T* b = boxes + k * 4;
      const T value = scores[k] * box_weight(cy, b[1], b[3], border) *
                      box_weight(cx, b[0], b[2], border);
      best = value > best ? value : best;
    }
    maps[index] = best;
  }
}

}  // namespace

at::Tensor likelihood_maps_forward_cuda(const at::Tensor& boxes,
                                        const at::Tensor& scores,
                                        const at::Tensor& offsets,
                                        int64_t height, int64_t width,
                                        double border) {
  c10::cuda::CUDAGuard guard(boxes.device());
  const int64_t num_maps = offsets.size(0) - 1;
  at::Tensor maps = at::zeros({num_maps, height, width}, boxes.options());
  const int64_t total = maps.numel();
  if (total == 0) return maps;
  AT_DISPATCH_FLOATING_TYPES(boxes.scalar_type(), "likelihood_maps", [&] {
    likelihood_maps_kernel<scalar_t>
        <<<blocks_for(total), kThreadsPerBlock, 0,
           c10::cuda::getCurrentCUDAStream()>>>(
            total, boxes.data_ptr<scalar_t>(), scores.data_ptr<scalar_t>(),
            offsets.data_ptr<int64_t>(), maps.data_ptr<scalar_t>(), height,
            width, static_cast<scalar_t>(border));
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return maps;
}

}  // namespace mmaction_ext

// Pairwise trajectory vIoU on CUDA (VidVRD definition, float64): one thread
// per trajectory for the volumes, one per pair for the overlap.
#include "../common.h"
#include "../ops.h"
#include "cuda_helpers.cuh"

namespace mmaction_ext {
namespace {

__global__ void volume_kernel(int64_t count, const double* boxes,
                              const int64_t* spans, int64_t length,
                              double* volume) {
  CUDA_1D_KERNEL_LOOP(n, count) {
    const double* b = boxes + n * length * 4;
    double sum = 0.0;
    for (int64_t t = 0; t < spans[2 * n + 1] - spans[2 * n]; ++t)
      sum += (b[4 * t + 2] - b[4 * t] + 1) * (b[4 * t + 3] - b[4 * t + 1] + 1);
    volume[n] = sum;
  }
}

__global__ void viou_kernel(int64_t total, int64_t n2, const double* boxes1,
                            const int64_t* spans1, int64_t len1,
                            const double* vol1, const double* boxes2,
                            const int64_t* spans2, int64_t len2,
                            const double* vol2, double* out) {
  CUDA_1D_KERNEL_LOOP(index, total) {
    const int64_t i = index / n2, j = index % n2;
    out[index] = pair_viou(boxes1 + i * len1 * 4, spans1[2 * i],
                           spans1[2 * i + 1], vol1[i], boxes2 + j * len2 * 4,
                           spans2[2 * j], spans2[2 * j + 1], vol2[j]);
  }
}

at::Tensor volumes(const at::Tensor& boxes, const at::Tensor& spans) {
  at::Tensor volume = at::zeros({boxes.size(0)}, boxes.options());
  if (boxes.size(0) == 0) return volume;
  volume_kernel<<<blocks_for(boxes.size(0)), kThreadsPerBlock, 0,
                  c10::cuda::getCurrentCUDAStream()>>>(
      boxes.size(0), boxes.data_ptr<double>(), spans.data_ptr<int64_t>(),
      boxes.size(1), volume.data_ptr<double>());
  return volume;
}

}  // namespace

at::Tensor trajectory_viou_forward_cuda(const at::Tensor& boxes1,
                                        const at::Tensor& spans1,
                                        const at::Tensor& boxes2,
                                        const at::Tensor& spans2) {
  c10::cuda::CUDAGuard guard(boxes1.device());
  const int64_t n1 = boxes1.size(0), n2 = boxes2.size(0);
  at::Tensor viou = at::zeros({n1, n2}, boxes1.options());
  if (n1 == 0 || n2 == 0) return viou;
  at::Tensor vol1 = volumes(boxes1, spans1);
  at::Tensor vol2 = volumes(boxes2, spans2);
  viou_kernel<<<blocks_for(n1 * n2), kThreadsPerBlock, 0,
                c10::cuda::getCurrentCUDAStream()>>>(
      n1 * n2, n2, boxes1.data_ptr<double>(), spans1.data_ptr<int64_t>(),
      boxes1.size(1), vol1.data_ptr<double>(), boxes2.data_ptr<double>(),
      spans2.data_ptr<int64_t>(), boxes2.size(1), vol2.data_ptr<double>(),
      viou.data_ptr<double>());
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return viou;
}

}  // namespace mmaction_ext

// Declarations of the device kernels behind the one pybind entry (pybind.cpp).
#pragma once
#include <ATen/ATen.h>

#include <vector>

namespace mmaction_ext {

std::vector<at::Tensor> roi_align_forward_cpu(const at::Tensor& input,
                                              const at::Tensor& rois,
                                              int64_t out_h, int64_t out_w,
                                              double spatial_scale,
                                              int64_t sampling_ratio,
                                              bool use_max, bool aligned);
at::Tensor roi_align_backward_cpu(const at::Tensor& grad_output,
                                  const at::Tensor& rois,
                                  const at::Tensor& argmax, int64_t batch,
                                  int64_t channels, int64_t height,
                                  int64_t width, double spatial_scale,
                                  int64_t sampling_ratio, bool use_max,
                                  bool aligned);
at::Tensor likelihood_maps_forward_cpu(const at::Tensor& boxes,
                                       const at::Tensor& scores,
                                       const at::Tensor& offsets,
                                       int64_t height, int64_t width,
                                       double border);
at::Tensor trajectory_viou_forward_cpu(const at::Tensor& boxes1,
                                       const at::Tensor& spans1,
                                       const at::Tensor& boxes2,
                                       const at::Tensor& spans2);

#ifdef WITH_CUDA
std::vector<at::Tensor> roi_align_forward_cuda(const at::Tensor& input,
                                               const at::Tensor& rois,
                                               int64_t out_h, int64_t out_w,
                                               double spatial_scale,
                                               int64_t sampling_ratio,
                                               bool use_max, bool aligned);
at::Tensor roi_align_backward_cuda(const at::Tensor& grad_output,
                                   const at::Tensor& rois,
                                   const at::Tensor& argmax, int64_t batch,
                                   int64_t channels, int64_t height,
                                   int64_t width, double spatial_scale,
                                   int64_t sampling_ratio, bool use_max,
                                   bool aligned);
at::Tensor likelihood_maps_forward_cuda(const at::Tensor& boxes,
                                        const at::Tensor& scores,
                                        const at::Tensor& offsets,
                                        int64_t height, int64_t width,
                                        double border);
at::Tensor trajectory_viou_forward_cuda(const at::Tensor& boxes1,
                                        const at::Tensor& spans1,
                                        const at::Tensor& boxes2,
                                        const at::Tensor& spans2);
#endif

}  // namespace mmaction_ext

// The one extension entry point: each op dispatches on its input's device to
// the CPU kernels (always built) or the CUDA kernels (built with WITH_CUDA).
#include <torch/extension.h>

#if __has_include(<torch/headeronly/version.h>)
#include <torch/headeronly/version.h>
#endif
#ifndef TORCH_VERSION
#define TORCH_VERSION "(unknown version)"
#endif

#include <string>
#include <vector>

#include "ops.h"

namespace mmaction_ext {
namespace {

#ifdef WITH_CUDA
#define DISPATCH_DEVICE(tensor, name, ...)         \
  if ((tensor).is_cuda()) return name##_cuda(__VA_ARGS__); \
  return name##_cpu(__VA_ARGS__)
#else
#define DISPATCH_DEVICE(tensor, name, ...)                              \
  TORCH_CHECK(!(tensor).is_cuda(), #name                                \
              ": mmaction_ext.ops._ext was built without CUDA; rebuild " \
              "with a CUDA torch and toolkit (or FORCE_CUDA=1)");        \
  return name##_cpu(__VA_ARGS__)
#endif

std::vector<at::Tensor> roi_align_forward(const at::Tensor& input,
                                          const at::Tensor& rois,
                                          int64_t out_h, int64_t out_w,
                                          double spatial_scale,
                                          int64_t sampling_ratio,
                                          bool use_max, bool aligned) {
  DISPATCH_DEVICE(input, roi_align_forward, input, rois, out_h, out_w,
                  spatial_scale, sampling_ratio, use_max, aligned);
}

at::Tensor roi_align_backward(const at::Tensor& grad_output,
                              const at::Tensor& rois,
                              const at::Tensor& argmax, int64_t batch,
                              int64_t channels, int64_t height, int64_t width,
                              double spatial_scale, int64_t sampling_ratio,
                              bool use_max, bool aligned) {
  DISPATCH_DEVICE(grad_output, roi_align_backward, grad_output, rois, argmax,
                  batch, channels, height, width, spatial_scale,
                  sampling_ratio, use_max, aligned);
}

at::Tensor likelihood_maps_forward(const at::Tensor& boxes,
                                   const at::Tensor& scores,
                                   const at::Tensor& offsets, int64_t height,
                                   int64_t width, double border) {
  DISPATCH_DEVICE(boxes, likelihood_maps_forward, boxes, scores, offsets,
                  height, width, border);
}

at::Tensor trajectory_viou_forward(const at::Tensor& boxes1,
                                   const at::Tensor& spans1,
                                   const at::Tensor& boxes2,
                                   const at::Tensor& spans2) {
  DISPATCH_DEVICE(boxes1, trajectory_viou_forward, boxes1, spans1, boxes2,
                  spans2);
}

bool has_cuda() {
#ifdef WITH_CUDA
  return true;
#else
  return false;
#endif
}

std::string build_info() {
  return std::string("CPU") + (has_cuda() ? " + CUDA" : "") +
         " kernels, torch " + TORCH_VERSION;
}

}  // namespace
}  // namespace mmaction_ext

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  using namespace mmaction_ext;
  m.def("roi_align_forward", &roi_align_forward,
        "RoIAlign forward: (output, argmax)");
  m.def("roi_align_backward", &roi_align_backward, "RoIAlign backward");
  m.def("likelihood_maps_forward", &likelihood_maps_forward,
        "scored boxes -> likelihood maps");
  m.def("trajectory_viou_forward", &trajectory_viou_forward,
        "pairwise trajectory vIoU");
  m.def("has_cuda", &has_cuda, "whether the CUDA kernels were built");
  m.def("build_info", &build_info, "kernels and torch version built for");
}

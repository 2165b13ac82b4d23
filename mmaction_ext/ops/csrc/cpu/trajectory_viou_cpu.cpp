// Pairwise trajectory vIoU on CPU (VidVRD definition, float64), one row of
// the matrix per task; work per pair is the length of the common span.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <vector>

#include "../common.h"
#include "../ops.h"

namespace mmaction_ext {
namespace {

std::vector<double> span_volumes(const at::Tensor& boxes,
                                 const at::Tensor& spans) {
  const double* box = boxes.data_ptr<double>();
  const int64_t* span = spans.data_ptr<int64_t>();
  const int64_t count = boxes.size(0), length = boxes.size(1);
  std::vector<double> volume(count, 0.0);
  for (int64_t n = 0; n < count; ++n) {
    const double* b = box + n * length * 4;
    for (int64_t t = 0; t < span[2 * n + 1] - span[2 * n]; ++t)
      volume[n] += (b[4 * t + 2] - b[4 * t] + 1) *
                   (b[4 * t + 3] - b[4 * t + 1] + 1);
  }
  return volume;
}

}  // namespace

at::Tensor trajectory_viou_forward_cpu(const at::Tensor& boxes1,
                                       const at::Tensor& spans1,
                                       const at::Tensor& boxes2,
                                       const at::Tensor& spans2) {
  const int64_t n1 = boxes1.size(0), n2 = boxes2.size(0);
  const int64_t len1 = boxes1.size(1), len2 = boxes2.size(1);
  at::Tensor viou = at::zeros({n1, n2}, boxes1.options());
  if (n1 == 0 || n2 == 0) return viou;
  const std::vector<double> vol1 = span_volumes(boxes1, spans1);
  const std::vector<double> vol2 = span_volumes(boxes2, spans2);
  const double* b1 = boxes1.data_ptr<double>();
  const double* b2 = boxes2.data_ptr<double>();
  const int64_t* s1 = spans1.data_ptr<int64_t>();
  const int64_t* s2 = spans2.data_ptr<int64_t>();
  double* out = viou.data_ptr<double>();
  at::parallel_for(0, n1, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      for (int64_t j = 0; j < n2; ++j)
        out[i * n2 + j] = pair_viou(b1 + i * len1 * 4, s1[2 * i],
                                    s1[2 * i + 1], vol1[i],
                                    b2 + j * len2 * 4, s2[2 * j],
                                    s2[2 * j + 1], vol2[j]);
  });
  return viou;
}

}  // namespace mmaction_ext

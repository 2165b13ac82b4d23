// Box-to-likelihood-map rasteriser on CPU.
//
// Boxes arrive sorted by map (frame * num_classes + class) with offsets, so
// each thread owns whole maps and visits only the pixels near each box.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "../common.h"
#include "../ops.h"

namespace mmaction_ext {
namespace {

// Pixel index range [first, last] whose centres can get a weight > 0.
template <typename T>
bool pixel_range(T low, T high, T border, int size, int* first, int* last) {
  const T lo = std::floor(low - border / 2 - T(1.5));
  const T hi = std::ceil(high + border / 2 + T(0.5));
  if (hi < T(0) || lo > T(size - 1)) return false;
  *first = lo < T(0) ? 0 : static_cast<int>(lo);
  *last = hi > T(size - 1) ? size - 1 : static_cast<int>(hi);
  return true;
}

}  // namespace

at::Tensor likelihood_maps_forward_cpu(const at::Tensor& boxes,
                                       const at::Tensor& scores,
                                       const at::Tensor& offsets,
                                       int64_t height, int64_t width,
                                       double border) {
  const int64_t num_maps = offsets.size(0) - 1;
  at::Tensor maps = at::zeros({num_maps, height, width}, boxes.options());
  const int64_t* offset = offsets.data_ptr<int64_t>();
  AT_DISPATCH_FLOATING_TYPES(boxes.scalar_type(), "likelihood_maps", [&] {
    const scalar_t* box = boxes.data_ptr<scalar_t>();
    const scalar_t* score = scores.data_ptr<scalar_t>();
    scalar_t* out = maps.data_ptr<scalar_t>();
    const scalar_t soft = static_cast<scalar_t>(border);
    at::parallel_for(0, num_maps, 1, [&](int64_t begin, int64_t end) {
      std::vector<scalar_t> wx(width);
      for (int64_t m = begin; m < end; ++m) {
        scalar_t* map = out + m * height * width;
        for (int64_t k = offset[m]; k < offset[m + 1]; ++k) {
          const scalar_t* b = box + k * 4;
          int x0, x1, y0, y1;
          if (!pixel_range(b[0], b[2], soft, width, &x0, &x1) ||
              !pixel_range(b[1], b[3], soft, height, &y0, &y1))
            continue;
          for (int j = x0; j <= x1; ++j)
            wx[j] = box_weight(j + scalar_t(0.5), b[0], b[2], soft);
          for (int i = y0; i <= y1; ++i) {
            const scalar_t row =
                score[k] * box_weight(i + scalar_t(0.5), b[1], b[3], soft);
            if (row == scalar_t(0)) continue;
            scalar_t* dst = map + int64_t(i) * width;
            for (int j = x0; j <= x1; ++j)
              dst[j] = std::max(dst[j], row * wx[j]);
          }
        }
      }
    });
  });
  return maps;
}

}  // namespace mmaction_ext

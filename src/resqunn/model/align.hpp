// Shape alignment for residual sums (docs/model.md): a sum's shape is the
// largest channel count and the smallest height and width of its terms;
// each term is aligned to it directly by
//  1. broadcasting a 1-channel term to C channels (other mismatches are
//     errors, reported when the model is built), then
//  2. adaptive average pooling down to the target height and width: output
//     cell i averages input rows floor(i*H/h) .. ceil((i+1)*H/h)-1 (the
//     plain k x k block average when h divides H), likewise for columns.
#pragma once

#include "resqunn/model/tensor.hpp"

#include <string>
#include <vector>

namespace resqunn::model {

/// The shape of the sum of `terms`; throws UsageError naming `what` if two
/// terms have different channel counts and neither has one channel.
Shape sum_shape(const std::vector<Shape>& terms, const std::vector<std::string>& names,
                const std::string& what);

/// out += align(in) for out of shape `out.shape` (same count).
void add_aligned(const Tensor& in, Tensor& out);

/// The adjoint of add_aligned: din += align^T(dout) (din has in's shape).
void add_aligned_adjoint(const Tensor& dout, Tensor& din);

}  // namespace resqunn::model

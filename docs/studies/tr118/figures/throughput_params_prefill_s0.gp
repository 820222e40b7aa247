set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s0.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_micro (1x8)'
$d0 << EOD
102714 293786.588
124439808 1292.97594
EOD
$d1 << EOD
102714 150996.352
124439808 18471.6846
EOD
$d2 << EOD
102714 150367.44
124439808 18591.7645
EOD
$d3 << EOD
102714 174941.446
124439808 9348.17318
EOD
$d4 << EOD
102714 190086.457
124439808 16813.0063
EOD
$d5 << EOD
102714 161754.659
124439808 14593.7931
EOD
$d6 << EOD
102714 27636.1589
124439808 841.974935
EOD
$d7 << EOD
102714 8611.98692
124439808 3423.61945
EOD
$d8 << EOD
102714 11633.2208
124439808 2928.42989
EOD
$d9 << EOD
102714 9423.94365
124439808 3957.90605
EOD
$d10 << EOD
102714 13012.3932
124439808 2959.74414
EOD
$d11 << EOD
102714 6146.06806
124439808 2296.68492
EOD
$d12 << EOD
102714 8511.17236
124439808 3179.34742
EOD
$d13 << EOD
102714 5780.65615
124439808 782.333198
EOD
$d14 << EOD
102714 3502.69391
124439808 1298.66294
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d8 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d9 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d10 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]', \
     $d11 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d12 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d13 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d14 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'

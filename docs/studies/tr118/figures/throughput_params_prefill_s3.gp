set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s3.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_long (1x128)'
$d0 << EOD
102714 863289.393
124439808 5203.54246
EOD
$d1 << EOD
102714 1840040.95
124439808 206013.746
EOD
$d2 << EOD
102714 1915143.27
124439808 211972.61
EOD
$d3 << EOD
102714 1618245.35
124439808 90870.4186
EOD
$d4 << EOD
102714 1704033.65
124439808 147446.968
EOD
$d5 << EOD
102714 1801702.33
124439808 170916.961
EOD
$d6 << EOD
102714 203081.831
124439808 3398.65507
EOD
$d7 << EOD
102714 228083.692
124439808 45493.7897
EOD
$d8 << EOD
102714 201872.754
124439808 29661.4431
EOD
$d9 << EOD
102714 138452.555
124439808 35705.8286
EOD
$d10 << EOD
102714 107917.531
124439808 48454.4198
EOD
$d11 << EOD
102714 113915.269
124439808 39948.7313
EOD
$d12 << EOD
102714 138100.999
124439808 38528.507
EOD
$d13 << EOD
102714 85706.0031
124439808 20519.1104
EOD
$d14 << EOD
102714 69672.1473
124439808 18191.8272
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

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
102714 229231.338
124439808 903.843098
EOD
$d1 << EOD
102714 158173.841
124439808 18880.0141
EOD
$d2 << EOD
102714 155182.904
124439808 19346.2867
EOD
$d3 << EOD
102714 185113.93
124439808 9577.81342
EOD
$d4 << EOD
102714 193168.728
124439808 17009.1254
EOD
$d5 << EOD
102714 164651.595
124439808 15269.7735
EOD
$d6 << EOD
102714 23787.4361
124439808 842.668105
EOD
$d7 << EOD
102714 14391.245
124439808 2874.3133
EOD
$d8 << EOD
102714 10981.666
124439808 3003.02679
EOD
$d9 << EOD
102714 11003.3021
124439808 3007.91719
EOD
$d10 << EOD
102714 7218.00619
124439808 3047.47324
EOD
$d11 << EOD
102714 5385.90337
124439808 2785.17911
EOD
$d12 << EOD
102714 8532.44631
124439808 2851.22583
EOD
$d13 << EOD
102714 5982.18913
124439808 1126.88007
EOD
$d14 << EOD
102714 3965.70088
124439808 1432.33835
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

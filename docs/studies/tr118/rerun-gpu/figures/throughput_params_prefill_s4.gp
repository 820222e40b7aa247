set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s4.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, batch_short (4x32)'
$d0 << EOD
102714 793194.079
124439808 164569.898
EOD
$d1 << EOD
102714 522302.527
124439808 165773.183
EOD
$d2 << EOD
102714 907250.26
124439808 79453.4614
EOD
$d3 << EOD
102714 956692.918
124439808 25708.4877
EOD
$d4 << EOD
102714 714303.737
124439808 117037.381
EOD
$d5 << EOD
102714 94462.0503
124439808 22854.2217
EOD
$d6 << EOD
102714 94800.5808
124439808 38431.4438
EOD
$d7 << EOD
102714 85082.2085
124439808 13299.086
EOD
$d8 << EOD
102714 75052.5301
124439808 25309.6179
EOD
plot $d0 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d1 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0', \
     $d7 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'

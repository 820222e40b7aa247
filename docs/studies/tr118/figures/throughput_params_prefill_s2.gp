set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s2.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_medium (1x64)'
$d0 << EOD
102714 738155.732
124439808 4139.6809
EOD
$d1 << EOD
102714 990494
124439808 128135.511
EOD
$d2 << EOD
102714 1037177.2
124439808 130535.665
EOD
$d3 << EOD
102714 882590.236
124439808 60876.9407
EOD
$d4 << EOD
102714 936647.766
124439808 84652.3479
EOD
$d5 << EOD
102714 943470.097
124439808 104962.175
EOD
$d6 << EOD
102714 100921.809
124439808 2553.19073
EOD
$d7 << EOD
102714 117308.116
124439808 22129.8245
EOD
$d8 << EOD
102714 92716.9373
124439808 22012.0783
EOD
$d9 << EOD
102714 70185.8697
124439808 27282.9148
EOD
$d10 << EOD
102714 50860.3719
124439808 24104.6732
EOD
$d11 << EOD
102714 43988.3486
124439808 21217.0419
EOD
$d12 << EOD
102714 70190.4901
124439808 22380.9287
EOD
$d13 << EOD
102714 45094.9245
124439808 7014.5988
EOD
$d14 << EOD
102714 31814.2644
124439808 10252.6763
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

set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m0_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'tiny-gpt2: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.09 12358.0342 11717.094 12998.9744
0.91 12136.0312 11932.4713 12339.5911
1.91 17530.996 16907.7294 18154.2625
EOD
$d1 << EOD
-0.03 16461.5599 15961.7307 16961.3892
0.97 17282.2806 16395.0889 18169.4723
1.97 22774.7883 21058.2614 24491.3151
EOD
$d2 << EOD
0.03 6142.03394 5561.59905 6722.46884
1.03 1682.65249 1605.83411 1759.47088
2.03 1232.64765 1184.89044 1280.40485
EOD
$d3 << EOD
0.09 5168.81125 4283.27796 6054.34455
1.09 1317.65148 1106.90561 1528.39736
2.09 971.462636 957.650307 985.274966
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d2 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d3 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]'
